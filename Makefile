# render: parallel split-process-merge video renderer.
# Plain make; CC and CFLAGS may be overridden (CFLAGS is appended to ours).
# `make V=1` shows the commands.

CC      ?= cc
MPICC   ?= mpicc
CFLAGS  ?= -O2 -g
BUILD   ?= build
BIN     ?= .
PKGS     = libavformat libavcodec libavfilter libavutil libswresample libswscale libcjson

# Recursive (=) so pkg-config runs at recipe time, after `deps` installed it.
RD_CFLAGS = -std=c11 -Wall -Wextra -fopenmp -D_GNU_SOURCE -MMD -MP -Isrc \
            -DRD_BUILD_FLAGS='"$(strip $(CFLAGS))"' \
            $(shell pkg-config --cflags $(PKGS)) $(CFLAGS)
RD_LIBS   = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
CK_LIBS   = $(shell pkg-config --libs check)

ifeq ($(V),1)
Q =
else
Q = @
endif

# Debian packages the build, the tests, the benchmark and render-mpi need.
DEB_PKGS = build-essential pkg-config libavformat-dev libavcodec-dev \
           libavfilter-dev libavutil-dev libswresample-dev libswscale-dev \
           ffmpeg libcjson-dev check gnuplot-nox openmpi-bin libopenmpi-dev \
           tmux time zzuf
# make test-slurm: a real one-node Slurm (tests/slurm.sh installs these too).
DEB_PKGS += slurm-wlm munge
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Sources by subsystem (see README, Layout): the layers below the front ends
# and the shared CLI parser go into librender.a.
LAYERS   = io streams engine ui sweep
LIB_SRC  = $(foreach d,$(LAYERS),$(wildcard src/$(d)/*.c)) src/cli.c src/ffopts.c src/ffcomplex.c src/ffabranch.c src/ffopts_table.c src/ffopts_ext.c src/ffcopy.c src/ffpass.c src/ffseek.c
LIB_OBJ  = $(LIB_SRC:src/%.c=$(BUILD)/%.o)
GEN_SRC  = $(wildcard src/gen/*.c)
GEN_OBJ  = $(GEN_SRC:src/gen/%.c=$(BUILD)/gen/%.o)
TEST_SRC = $(wildcard tests/check_*.c)
TEST_OBJ = $(TEST_SRC:tests/%.c=$(BUILD)/tests/%.o)
MPI_SRC  = $(wildcard src/mpi/*.c)
MPI_OBJ  = $(MPI_SRC:src/mpi/%.c=$(BUILD)/mpi/%.o)
STAMP    = $(BUILD)/.deps-ok
MPI_BIN  = $(if $(MPI_SRC),$(BIN)/render-mpi)

ASSET    = assets/mandelbrot_720p.mp4
RENDER   = $(BIN)/render
GEN      = $(BIN)/gen-mandelbrot
BINS     = $(RENDER) $(GEN)

.PHONY: all deps test test-cli layers docs-filters unit e2e asan fuzz demo assets bench mpi clean test-slurm test-filters test-encoders
all: $(BINS)

deps: $(STAMP)
$(STAMP):
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "make deps: installing$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing || exit 1; \
	fi
	@mkdir -p $(BUILD) && touch $@

$(BUILD)/%.o: src/%.c | $(STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(RD_CFLAGS) -c $< -o $@

$(BUILD)/tests/%.o: tests/%.c | $(STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(RD_CFLAGS) -Itests $(shell pkg-config --cflags check) -c $< -o $@

$(BUILD)/mpi/%.o: src/mpi/%.c | $(STAMP)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  MPICC   $<")
	$(Q)$(MPICC) $(RD_CFLAGS) -c $< -o $@

$(BUILD)/librender.a: $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)$(AR) rcs $@ $^

$(RENDER): $(BUILD)/main.o $(BUILD)/librender.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(RD_CFLAGS) -o $@ $^ $(RD_LIBS)

$(GEN): $(GEN_OBJ)
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(RD_CFLAGS) -o $@ $^ $(RD_LIBS)

$(BIN)/render-mpi: $(MPI_OBJ) $(BUILD)/librender.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(MPICC) $(RD_CFLAGS) -o $@ $^ $(RD_LIBS)

mpi: $(BIN)/render-mpi

$(BUILD)/check_runner: $(TEST_OBJ) $(BUILD)/librender.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(RD_CFLAGS) -o $@ $^ $(RD_LIBS) $(CK_LIBS)

$(BUILD)/filtertab_md: tests/tools/filtertab_md.c $(BUILD)/librender.a
	@$(if $(Q),echo "  LINK    $@")
	$(Q)$(CC) $(RD_CFLAGS) -o $@ $^ $(RD_LIBS)

# docs/FILTERS.md's table is printed from src/engine/filtertab.c: this
# rewrites it; make test checks that it is current.
docs-filters: $(BUILD)/filtertab_md
	@bash tests/docs_filters.sh --write $(BUILD)/filtertab_md

# Assets the tests and the demo use; generated, never committed.
assets: $(ASSET) assets/small.mp4
$(ASSET): | $(GEN)
	@mkdir -p assets
	$(GEN) --size 1280x720 --fps 30 --duration 20 --gop 30 -o $@
assets/small.mp4: | $(GEN)
	@mkdir -p assets
	$(GEN) --size 320x240 --fps 25 --duration 4 --gop 25 -o $@

unit: $(BUILD)/check_runner
	$(BUILD)/check_runner

# The tests read the small clip only: the 720p default asset (20 s to
# draw) is made by make demo and make assets.
e2e: all $(MPI_BIN) assets/small.mp4
	@RENDER=$(abspath $(RENDER)) GEN=$(abspath $(GEN)) RENDER_MPI=$(abspath $(BIN)/render-mpi) \
	  E2E_SET=core bash tests/run_e2e.sh

# The tables of ffmpeg command lines and graphs, each run through the CLI
# and render at -w 1, 2, 3 (tests/e2e_ffcli*.sh, e2e_filters.sh and the
# like, tests/run_e2e.sh's CLI_SET; about eleven minutes).
test-cli: all $(MPI_BIN) assets/small.mp4
	@RENDER=$(abspath $(RENDER)) GEN=$(abspath $(GEN)) RENDER_MPI=$(abspath $(BIN)/render-mpi) \
	  E2E_SET=cli bash tests/run_e2e.sh

# No file in a lower layer includes a header from a higher one.
layers:
	@bash tests/layers.sh

test: all $(BUILD)/filtertab_md
	@$(MAKE) --no-print-directory layers
	@bash tests/docs_filters.sh $(BUILD)/filtertab_md
	@$(MAKE) --no-print-directory unit
	@$(MAKE) --no-print-directory e2e

# Every video filter with one video input and one video output, run with
# its default options, against the ffmpeg CLI at -w 1 and -w 3 (the chunk
# contract's exhaustive walk; several minutes). FILTERS="a b" for a few.
test-filters: all
	RENDER=$(abspath $(RENDER)) bash tests/filters_all.sh

# Every video encoder the CLI offers, in the containers people use, at 1, 2
# and 3 workers, against the CLI's own output (about 40 s).
test-encoders: all
	RENDER=$(abspath $(RENDER)) bash tests/encoders_all.sh

# bench/slurm/render.sbatch submitted to a real one-node Slurm that
# tests/slurm.sh starts (munged, slurmctld, slurmd) and stops again.
test-slurm: all $(MPI_BIN)
	RENDER_MPI=$(abspath $(BIN)/render-mpi) bash tests/slurm.sh

# The whole suite again, built with sanitizers, failing on any report.
ASAN_FLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
asan: | $(STAMP)
	$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan CFLAGS="$(ASAN_FLAGS)" \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 test test-cli test-encoders

# Mutated small files (zzuf, fixed seeds) through the sanitizer build: no
# report, no crash, no hang, nothing left behind. FUZZ_N mutants per
# container, ten containers (ts mkv mp4 avi ogg flv mov mxf h264 hevc;
# default 150 each, lowered from 300 when six were added, to stay within
# about five minutes on two idle cores; the timeout only guards against a
# hang of the script itself). Then FUZZ_REPLAY_N mutants each through
# chunks that replay (hqdn3d --exact, forced to 3 chunks), the path that
# decodes every chunk from the stream's first frame.
FUZZ_N ?= 150
FUZZ_REPLAY_N ?= 40
fuzz: | $(STAMP)
	$(MAKE) --no-print-directory BUILD=build/asan BIN=build/asan CFLAGS="$(ASAN_FLAGS)" all
	RENDER=$(abspath build/asan/render) timeout 2400 bash tests/fuzz.sh $(FUZZ_N)
	RENDER=$(abspath build/asan/render) FUZZ_ARGS="--vf hqdn3d --exact --chunks 3" \
	  timeout 1200 bash tests/fuzz.sh $(FUZZ_REPLAY_N)

# The scaling benchmark: sweeps, JSON and .dat in bench/results, charts in
# plots/. QUICK=1 for a reduced run.
bench: all
	RENDER=$(abspath $(RENDER)) GEN=$(abspath $(GEN)) QUICK=$(QUICK) bash bench/run.sh

demo: all $(ASSET)
	$(RENDER) $(ASSET) -y -o output_processed.mp4

clean:
	rm -rf build render gen-mandelbrot render-mpi

-include $(wildcard $(BUILD)/*.d $(BUILD)/*/*.d)
