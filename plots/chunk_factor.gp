# chunk_factor.gp - over-decomposition: the same sweep with 1, 4 and 16
# chunks per worker (--chunk-factor K). One chunk per worker cannot balance
# uneven work; many small chunks balance it but pay a seek and an encoder
# start per chunk.
#
#   gnuplot -e "dat='bench/results/cf1_scaling.dat'; dat2='bench/results/main_scaling.dat'; \
#               dat3='bench/results/cf16_scaling.dat'; out='plots/chunk_factor'" plots/chunk_factor.gp
# Optional: dat3 (leave it out for two series), t1 t2 t3 (series titles).
if (!exists("dat"))  dat  = 'bench/results/cf1_scaling.dat'
if (!exists("dat2")) dat2 = 'bench/results/main_scaling.dat'
if (!exists("out"))  out  = 'plots/chunk_factor'
if (!exists("t1"))   t1   = '--chunk-factor 1'
if (!exists("t2"))   t2   = '--chunk-factor 4 (default)'
if (!exists("t3"))   t3   = '--chunk-factor 16'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title "Over-decomposition: chunks per worker"
set xlabel "workers (OpenMP threads)"
set ylabel "speedup = T(1 worker, 1 chunk) / T(p)"
set key top left box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:*]
if (exists("dat3")) {
    plot x with lines dt 2 lc rgb "gray40" title "ideal", \
         dat  using 1:3:9:10 with yerrorlines pt 5 ps 1.2 lw 2 lc rgb "#d62728" title t1, \
         dat2 using 1:3:9:10 with yerrorlines pt 7 ps 1.2 lw 2 lc rgb "#1f77b4" title t2, \
         dat3 using 1:3:9:10 with yerrorlines pt 9 ps 1.2 lw 2 lc rgb "#2ca02c" title t3
} else {
    plot x with lines dt 2 lc rgb "gray40" title "ideal", \
         dat  using 1:3:9:10 with yerrorlines pt 5 ps 1.2 lw 2 lc rgb "#d62728" title t1, \
         dat2 using 1:3:9:10 with yerrorlines pt 7 ps 1.2 lw 2 lc rgb "#1f77b4" title t2
}

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
