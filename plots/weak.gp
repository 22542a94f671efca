# weak.gp - weak scaling: p workers render p times as much video
# (render --weak S: p x S seconds). Scaled speedup p T(1) / T(p) against
# Gustafson's law S = p - f_s (p - 1), fitted by least squares on
# p - S = f_s (p - 1).
#
#   gnuplot -e "dat='bench/results/weak_scaling.dat'; out='plots/weak'" plots/weak.gp
if (!exists("dat"))  dat  = 'bench/results/weak_scaling.dat'
if (!exists("out"))  out  = 'plots/weak'
if (!exists("name")) name = 'render --weak'

set datafile missing "NaN"
stats dat using 1 nooutput
pmax = STATS_max

fs = 0.1
h(x) = fs * x
set fit nolog quiet
if (pmax > 1) { fit h(x) dat using ($1 - 1):($1 - $3) via fs } else { fs = NaN }
gus(p) = p - fs * (p - 1)

set terminal pngcairo noenhanced size 900,600 font ",12"
set output out.'.png'
set title sprintf("Weak scaling: scaled speedup (%s)", name)
set xlabel "workers (OpenMP threads), each with the same amount of video"
set ylabel "scaled speedup = p T(1) / T(p)"
set key top left box opaque
set grid
set xrange [0:pmax * 1.05 + 0.5]
if (pmax <= 16) { set xtics 1 }
set yrange [0:*]
set samples 400
plot x with lines dt 2 lc rgb "gray40" title "ideal (S = p)", \
     (x >= 1 ? gus(x) : 1/0) with lines lw 2 lc rgb "#d62728" \
         title sprintf("Gustafson fit: f_s = %.3f", fs), \
     dat using 1:3:9:10 with yerrorlines pt 7 ps 1.3 lw 2 lc rgb "#1f77b4" title "measured"

set terminal svg noenhanced size 900,600 dynamic font "Helvetica,12"
set output out.'.svg'
replot
unset output
