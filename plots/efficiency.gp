# efficiency.gp - parallel efficiency S/p against worker count: 1 is
# perfect, and Amdahl's curve shows how fast a fixed serial part drags it down.
# Where the sweep measured the machine's ceiling (column 13), speedup /
# ceiling too: the efficiency the renderer reaches of what the machine allows.
#
#   gnuplot -e "dat='bench/results/main_scaling.dat'; out='plots/efficiency'" plots/efficiency.gp
if (!exists("dat"))  dat  = 'bench/results/main_scaling.dat'
if (!exists("out"))  out  = 'plots/efficiency'
if (!exists("name")) name = 'render, strong scaling'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max

f = 0.1
g(x) = f * x
set fit nolog quiet
if (pmax > 1) { fit g(x) dat using (1.0 - 1.0/$1):(1.0/$3 - 1.0/$1) via f } else { f = NaN }
eff(p) = 1.0 / (f * p + 1.0 - f)
stats dat using 13 nooutput
have_ceiling = exists("STATS_records") ? (STATS_records > 0) : 0

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title sprintf("Parallel efficiency vs workers (%s)", name)
set xlabel "workers (OpenMP threads)"
set ylabel "efficiency = speedup / p"
set key bottom left box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:1.15]
set samples 400
plot 1 with lines dt 2 lc rgb "gray40" title "ideal (E = 1)", \
     (x >= 1 ? eff(x) : 1/0) with lines lw 2 lc rgb "#d62728" \
         title sprintf("Amdahl, f = %.3f: E = 1 / (f p + 1 - f)", f), \
     dat using 1:4 with linespoints pt 7 ps 1.3 lw 2 lc rgb "#1f77b4" title "measured", \
     dat using 1:(have_ceiling ? $13 : NaN) with linespoints dt 4 pt 5 ps 1.1 lw 2 lc rgb "#2ca02c" \
         title (have_ceiling ? "speedup / what this machine allows" : "")

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
