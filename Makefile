# kzv — convenience wrapper around Meson. Every target sets itself up:
# missing Debian packages are installed with apt-get (only when missing, only
# as root), then Meson configures and Ninja builds.
#
#   make demo          build and run kzv on the sample clip (FILE=... for your own)
#   make check         the everyday loop: build, then the release suite without
#                      the 'slow' tests (a few minutes on 2 cores)
#   make test-release  build, then the whole release suite ('slow' included)
#   make test          every test: release suite, valgrind, ASan+UBSan and TSan
#                      builds, fuzz smoke runs (what .ci/run does)
#   make build         just build (CLI at build/tools/kzv)
#   make bench         benchmarks against ffmpeg and PyAV, the Python package
#                      against the CLI and PyAV, the 100,000-frame processor
#                      soak with its RSS (never part of make test)

SHELL      := /bin/bash
BUILD      ?= build
FILE       ?= samples/kizuna-sample.mp4
DEMO_OUT   ?= $(BUILD)/demo
FIXTURES   ?= $(CURDIR)/$(BUILD)/fixtures
SANITIZERS ?= asan tsan

.PHONY: all deps build demo check test test-release fixtures bench clean

all: build

deps:
	@scripts/deps.sh build

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=release </dev/null
	@scripts/reconfigure.sh --record $(BUILD)

# reconfigure.sh: a build directory configured before an optional
# dependency (SDL2, fonts) was installed picks it up.
build: deps $(BUILD)/build.ninja
	@scripts/reconfigure.sh $(BUILD)
	ninja -C $(BUILD)

demo: build
	@scripts/demo.sh $(BUILD)/tools/kzv "$(FILE)" "$(DEMO_OUT)"

fixtures: deps
	@tests/media/make_fixtures.sh "$(FIXTURES)"
	@tests/media/make_seek_fixtures.sh "$(FIXTURES)"

test: deps
	@scripts/deps.sh test
	@scripts/run_tests.sh "$(BUILD)" "$(FIXTURES)" $(SANITIZERS)

# The release build's suite alone (no valgrind, sanitizers or fuzzing);
# `check` leaves out the 'slow' suite (tests/meson.build says what is in it).
MESON_TEST = KZV_FIXTURES="$(FIXTURES)" meson test -C $(BUILD) --print-errorlogs --num-processes 2

check: deps
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory build fixtures
	$(MESON_TEST) --no-suite slow

test-release: deps
	@scripts/deps.sh test
	@$(MAKE) --no-print-directory build fixtures
	$(MESON_TEST)

bench: build
	@scripts/deps.sh bench
	@bench/run.sh $(BUILD)
	@$(BUILD)/bench/convert_bench --quick
	@$(BUILD)/bench/rgb2yuv_bench --quick
	@bench/seek_bench.sh $(BUILD) 100
	@/usr/bin/python3 bench/python_bench.py $(BUILD)
	@/usr/bin/python3 bench/dask_bench.py $(BUILD)
	@bench/transcode_bench.sh $(BUILD) 3
	@bench/soak.sh $(BUILD)

clean:
	rm -rf $(BUILD) build-asan build-tsan build-fuzz build-minimal-*
