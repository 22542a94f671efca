# schedule.gp - the same sweep under different OpenMP schedules
# (OMP_SCHEDULE=static, dynamic, guided): speedup against worker count.
# Static hands each thread an equal count of chunks up front; when later
# chunks cost more (the mandelbrot zoom does), some threads finish early and wait.
#
#   gnuplot -e "dat='bench/results/static_scaling.dat'; dat2='bench/results/dynamic_time_scaling.dat'; \
#               out='plots/schedule'" plots/schedule.gp
# Optional: dat3 (a third schedule), t1 t2 t3 (series titles).
if (!exists("dat"))  dat  = 'bench/results/static_scaling.dat'
if (!exists("dat2")) dat2 = 'bench/results/dynamic_time_scaling.dat'
if (!exists("out"))  out  = 'plots/schedule'
if (!exists("t1"))   t1   = 'OMP_SCHEDULE=static'
if (!exists("t2"))   t2   = 'OMP_SCHEDULE=dynamic,1 (default)'
if (!exists("t3"))   t3   = 'OMP_SCHEDULE=guided'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max
stats dat2 using 1 nooutput
pmax = (STATS_max > pmax ? STATS_max : pmax)

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title "OpenMP schedule: static vs dynamic (equal-length chunks)"
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
