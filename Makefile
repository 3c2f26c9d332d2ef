# The two commands of the README, plus the pieces they are made of.
BUILD ?= build/release

.PHONY: run selfcheck test build bench clean

# Install what is missing, build, and run the main job on built-in virtual ports: the
# forwarder moving packets between two null ports for a few seconds.
run: build
	$(BUILD)/app/fwd/sluice-fwd -- --duration 5

# What the runtime finds (cores, NUMA, hugepages) and ring/pool throughput.
selfcheck: build
	$(BUILD)/app/selfcheck/sluice-selfcheck

# Install what is missing, build every configuration and run every test.
test:
	./scripts/deps.sh test
	./scripts/test-all.sh

# Configures once, and again when a library it missed has been installed since.
build:
	./scripts/deps.sh build
	./scripts/configure.sh $(BUILD)
	ninja -C $(BUILD)

# Benchmarks side by side with DPDK (installs Debian's dpdk-dev for dpdk-test and DPDK's
# libraries first, so that the build finds them).
bench:
	./scripts/deps.sh bench
	$(MAKE) build
	./bench/run.sh $(BUILD)

clean:
	rm -rf build
