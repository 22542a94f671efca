# processes.gp - the same sweep run two ways: every point in one process
# (render --sweep) and one process per run (OMP_NUM_THREADS=p render
# --report, as a shell user would). The gap is what starting a process,
# loading the libraries and opening the input again costs.
#
#   gnuplot -e "dat='bench/results/main_scaling.dat'; dat2='bench/results/processes_scaling.dat'; \
#               out='plots/processes'" plots/processes.gp
if (!exists("dat"))  dat  = 'bench/results/main_scaling.dat'
if (!exists("dat2")) dat2 = 'bench/results/processes_scaling.dat'
if (!exists("out"))  out  = 'plots/processes'
if (!exists("t1"))   t1   = 'in one process (render --sweep)'
if (!exists("t2"))   t2   = 'one process per run (OMP_NUM_THREADS loop)'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title "Wall time per run: in-process sweep vs separate processes"
set xlabel "workers (OpenMP threads)"
set ylabel "wall time per run (s)"
set key top right box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:*]
plot dat  using 1:2:7:8 with yerrorlines pt 7 ps 1.2 lw 2 lc rgb "#1f77b4" title t1, \
     dat2 using 1:2:7:8 with yerrorlines pt 5 ps 1.2 lw 2 lc rgb "#ff7f0e" title t2

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
