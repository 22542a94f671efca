# small_file.gp - the "small file anomaly": on a short clip with a light
# workload the fixed costs (opening the input once per chunk, seeking,
# encoder start-up, merging) outweigh the work, so more workers can be
# slower than one. Below the dashed line at 1, parallelism loses.
#
#   gnuplot -e "dat='bench/results/small_heavy_scaling.dat'; \
#               dat2='bench/results/small_light_scaling.dat'; out='plots/small_file'" plots/small_file.gp
# Optional: t1 t2 (series titles).
if (!exists("dat"))  dat  = 'bench/results/small_heavy_scaling.dat'
if (!exists("dat2")) dat2 = 'bench/results/small_light_scaling.dat'
if (!exists("out"))  out  = 'plots/small_file'
if (!exists("t1"))   t1   = 'heavy: hqdn3d + x264 (default preset)'
if (!exists("t2"))   t2   = 'light: null filter + x264 ultrafast, 2 s clip'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max
stats dat2 using 1 nooutput
pmax = (STATS_max > pmax ? STATS_max : pmax)

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title "Small file anomaly: when overhead outweighs the work"
set xlabel "workers (OpenMP threads)"
set ylabel "speedup = T(1 worker, 1 chunk) / T(p)"
set key top left box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:*]
plot x with lines dt 2 lc rgb "gray40" title "ideal", \
     1 with lines dt 3 lw 2 lc rgb "black" title "no gain (S = 1)", \
     dat  using 1:3:9:10 with yerrorlines pt 7 ps 1.2 lw 2 lc rgb "#1f77b4" title t1, \
     dat2 using 1:3:9:10 with yerrorlines pt 5 ps 1.2 lw 2 lc rgb "#ff7f0e" title t2

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
