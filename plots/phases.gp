# phases.gp - where the time goes at each worker count: stacked bars of the
# serial phases (probe, plan, merge tail), the parallel loop, and wall time
# outside the engine (process start-up and exit; near zero in process).
#
#   gnuplot -e "dat='bench/results/main_phases.dat'; out='plots/phases'" plots/phases.gp
if (!exists("dat"))  dat  = 'bench/results/main_phases.dat'
if (!exists("out"))  out  = 'plots/phases'
if (!exists("name")) name = 'render'

set datafile missing "NaN"
set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title sprintf("Time per phase vs workers (%s)", name)
set xlabel "workers (OpenMP threads)"
set ylabel "wall time (s)"
set key top right box opaque
set grid ytics
# Headroom above the tallest bar for the key.
stats dat using ($2 + $3 + $4 + $5 + $6) nooutput
set yrange [0:STATS_max * 1.45]
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb "black"
set boxwidth 0.7
plot dat using 2:xtic(1) lc rgb "#9467bd" title "probe (serial)", \
     ''  using 3 lc rgb "#8c564b" title "plan (serial)", \
     ''  using 4 lc rgb "#1f77b4" title "parallel chunk loop", \
     ''  using 5 lc rgb "#d62728" title "merge tail (serial)", \
     ''  using 6 lc rgb "#bbbbbb" title "outside the engine (process start/exit)"

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
