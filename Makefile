# The only commands anyone needs. Each installs what it needs when it is missing (Debian).
SWIFT ?= swift
PREFIX ?= /usr/local

.PHONY: all build deps test fuzz demo bench install clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	$(SWIFT) build -c release

# Every test: unit tests, and integration tests on throwaway PostgreSQL clusters they start
# and stop themselves (as the postgres user when run as root).
test: deps
	@scripts/install-deps.sh --browser
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build --disable-swift-testing

# The fuzz run of `make test`, longer: FUZZ_SECONDS of each property, from a random seed
# (printed; replay a failure with RESEQ_FUZZ_SEED=<seed>).
FUZZ_SECONDS ?= 300
fuzz: deps
	$(SWIFT) build --build-tests
	RESEQ_FUZZ_SECONDS=$(FUZZ_SECONDS) RESEQ_FUZZ_SEED=$${RESEQ_FUZZ_SEED:-$$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')} \
		$(SWIFT) test --skip-build --filter FuzzTests

demo: build
	@scripts/demo.sh

bench: build
	@scripts/bench.sh $(BENCH_ARGS)

# The packages, runnable without a Swift toolchain: dist/reseq-VERSION-linux-x86_64.tar.gz and
# dist/reseq_VERSION_amd64.deb (scripts/dist.sh). VERSION comes from git: tag and commit.
.PHONY: dist test-dist
dist: deps
	@scripts/install-deps.sh --dist
	@SWIFT="$(SWIFT)" scripts/dist.sh

# make dist, then the packages as users get them: no libswift in ldd, the tarball's binary run
# with an empty environment against a throwaway server, dpkg -i / man / completions / dpkg -r.
test-dist: dist
	@scripts/test-dist.sh

install: build
	install -D -m 755 .build/release/reseq $(DESTDIR)$(PREFIX)/bin/reseq

clean:
	rm -rf .build dist
