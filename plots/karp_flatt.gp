# karp_flatt.gp - the Karp-Flatt metric e(p) = (1/S - 1/p) / (1 - 1/p):
# the serial fraction each measurement implies. Flat: a fixed serial part
# (Amdahl). Rising with p: overhead that grows with the workers (start-up,
# seeks to keyframes, merging, memory bandwidth). Undefined at p = 1.
#
#   gnuplot -e "dat='bench/results/main_scaling.dat'; out='plots/karp_flatt'" plots/karp_flatt.gp
if (!exists("dat"))  dat  = 'bench/results/main_scaling.dat'
if (!exists("out"))  out  = 'plots/karp_flatt'
if (!exists("name")) name = 'render, strong scaling'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max

f = 0.1
g(x) = f * x
set fit nolog quiet
if (pmax > 1) { fit g(x) dat using (1.0 - 1.0/$1):(1.0/$3 - 1.0/$1) via f } else { f = NaN }

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title sprintf("Karp-Flatt experimental serial fraction (%s)", name)
set xlabel "workers (OpenMP threads)"
set ylabel "e(p) = (1/S - 1/p) / (1 - 1/p)"
set key top left box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:*]
set label 1 "flat: fixed serial part    rising: overhead grows with p" \
    at graph 0.98, graph 0.04 right font ",10"
plot f with lines dt 2 lw 2 lc rgb "#d62728" title sprintf("Amdahl fit f = %.3f", f), \
     dat using 1:5 with linespoints pt 7 ps 1.3 lw 2 lc rgb "#1f77b4" title "e(p) measured"

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
