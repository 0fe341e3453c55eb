# Makefile for the tls extension: TLS channels for Tcl over OpenSSL 3.
#
#   make                 build into build/ (library, pkgIndex.tcl, tls.tcl)
#   make test            the whole test suite, loading the package from build/
#   make demo            HTTPS round trip over loopback with full verification
#   make install         into $(DESTDIR)$(PKGDIR) (see below)
#   make test-tcl9       build and run the whole suite under Tcl 9.0 and
#                        OpenSSL 3.5, in a Debian 13 tree (tools/tcl9.sh)
#   make clean
#
# One source builds for Tcl 8.6 and Tcl 9.0; a stubs library serves only
# the Tcl it was built for, so each has its own build directory:
#   make                 Tcl 8.6 -> build/libtls1.8.0.so
#   make TCL=9.0         Tcl 9.0 -> build-tcl9/libtcl9tls1.8.0.so (on a
#                        machine with tcl9.0-dev, e.g. Debian 13)
# TCL_CONFIG=.../tclConfig.sh also selects the Tcl (TCL then follows it).
# Both libraries may be installed into one directory: the pkgIndex.tcl is
# the same for both and loads the one for the Tcl that reads it.
#
# Settings: TCL, TCL_CONFIG (path of tclConfig.sh), TCLSH, PREFIX, DESTDIR,
# BUILD, TESTFLAGS (passed to tcltest, e.g. TESTFLAGS="-file channel.test").
# Missing Debian packages are installed when run as root (tools/deps.sh).

VERSION    = 1.8.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= $(if $(filter 8.6,$(TCL)),build,build-tcl$(firstword $(subst ., ,$(TCL))))
# The Tcl version: given, or read from a given TCL_CONFIG (without
# sourcing it: Debian's /usr/lib/tcl9.0/tclConfig.sh is a wrapper that
# needs dpkg-architecture), else 8.6.
ifdef TCL_CONFIG
ifndef TCL
TCL       := $(shell sed -n "s/^TCL_VERSION='\(.*\)'$$/\1/p" '$(TCL_CONFIG)' 2>/dev/null)
endif
endif
TCL       := $(or $(TCL),8.6)
# Debian's multiarch directory first (it holds the real file), then the
# usual places; the last word is the path tools/deps.sh will create.
TCL_CONFIG ?= $(firstword $(wildcard /usr/lib/*-linux-gnu/tcl$(TCL)/tclConfig.sh \
		/usr/lib/tcl$(TCL)/tclConfig.sh /usr/lib64/tcl$(TCL)/tclConfig.sh \
		/usr/local/lib/tcl$(TCL)/tclConfig.sh \
		$(if $(filter 8.6,$(TCL)),/usr/lib64/tclConfig.sh \
		/usr/local/lib/tclConfig.sh)) /usr/lib/tcl$(TCL)/tclConfig.sh)
TCLSH     ?= tclsh$(TCL)
# Where the package is installed: a directory on Tcl's auto_path (Debian's
# tclsh searches /usr/local/lib/tcltk).
PKGDIR    ?= $(PREFIX)/lib/tcltk/tls$(VERSION)
MANDIR    ?= $(PREFIX)/share/man
TESTFLAGS ?=

# Read lazily (=), after tools/deps.sh has made sure the files exist.
tclvar     = $(shell . $(TCL_CONFIG) && eval echo "\$$$(1)")
TCL_MAJOR  = $(call tclvar,TCL_MAJOR_VERSION)
TCL_INC    = $(call tclvar,TCL_INCLUDE_SPEC)
TCL_STUB   = $(call tclvar,TCL_STUB_LIB_SPEC)
SSL_CFLAGS = $(shell pkg-config --cflags openssl)
SSL_LIBS   = $(shell pkg-config --libs openssl)
LIBNAME    = $(if $(filter 9,$(TCL_MAJOR)),libtcl9tls,libtls)$(VERSION).so

CC        ?= gcc
OPT       ?= -O2 -g
CFLAGS_ALL = -std=c99 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	     $(OPT) -Wall -Wextra -fPIC -fvisibility=hidden \
	     -DUSE_TCL_STUBS -DBUILD_tls -DTCL_THREADS=1 -DPACKAGE_VERSION=\"$(VERSION)\" \
	     -Igeneric $(TCL_INC) $(SSL_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL = -shared $(LDFLAGS) $(EXTRA_LDFLAGS)

# generic/ is platform-neutral; unix/ holds the POSIX services it calls
# (generic/tlsPlatform.h).
SRCS = $(wildcard generic/*.c unix/*.c)
OBJS = $(patsubst %.c,$(BUILD)/obj/%.o,$(notdir $(SRCS)))
vpath %.c generic unix

.PHONY: all deps deps-test deps-demo test demo install clean test-tcl9 FORCE \
	bench bench-quick bench-profile check-asan check-valgrind check-tsan \
	fuzz

all: deps $(BUILD)/lib.stamp

deps:
	@tools/deps.sh build $(TCL)
deps-test:
	@tools/deps.sh test $(TCL)
deps-demo:
	@tools/deps.sh demo $(TCL)

# Records which tclConfig.sh the objects were compiled against, so that
# pointing one BUILD directory at another Tcl, or changing the compiler
# flags, recompiles everything; and stops early if that file is not the
# Tcl asked for.
$(BUILD)/tclconfig: FORCE
	@v=$$(. '$(TCL_CONFIG)' && echo "$$TCL_VERSION"); \
	if [ "$$v" != "$(TCL)" ]; then \
	    echo "$(TCL_CONFIG) is Tcl '$$v', not $(TCL)" >&2; exit 1; \
	fi; \
	mkdir -p $(BUILD); \
	line='$(TCL_CONFIG) '"$$v"' $(CFLAGS_ALL)'; \
	printf '%s\n' "$$line" | cmp -s - $@ || printf '%s\n' "$$line" > $@
FORCE:

$(BUILD)/obj/%.o: %.c $(BUILD)/tclconfig
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/lib.stamp: $(OBJS) pkgIndex.tcl.in library/tls.tcl Makefile
	rm -f $(BUILD)/lib*tls$(VERSION).so
	$(CC) $(LDFLAGS_ALL) -o $(BUILD)/$(LIBNAME) $(OBJS) $(TCL_STUB) $(SSL_LIBS)
	sed 's/@VERSION@/$(VERSION)/g' pkgIndex.tcl.in > $(BUILD)/pkgIndex.tcl
	cp library/tls.tcl $(BUILD)/tls.tcl
	@touch $@

-include $(OBJS:.o=.d)

test: deps-test all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) tests/all.tcl $(TESTFLAGS)

# The Tcl 9 lane: Debian 13 tree (made once, kept in TCL9_ROOT, default
# /var/cache/tls-tcl9), then "make TCL=9.0 test" inside it. Needs root.
test-tcl9:
	TESTFLAGS="$(TESTFLAGS)" tools/tcl9.sh test

demo: deps-demo all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) examples/demo.tcl

install: all
	install -d $(DESTDIR)$(PKGDIR) $(DESTDIR)$(MANDIR)/mann
	install -m 755 $(BUILD)/$(LIBNAME) $(DESTDIR)$(PKGDIR)/
	install -m 644 $(BUILD)/pkgIndex.tcl $(BUILD)/tls.tcl $(DESTDIR)$(PKGDIR)/
	install -m 644 doc/tls.n $(DESTDIR)$(MANDIR)/mann/tls.n

# Memory checkers and fuzzers (see the header of each script).
check-asan:
	tools/asan.sh $(TESTFLAGS)
check-valgrind: all
	tools/valgrind.sh $(TESTFLAGS)
check-tsan: deps-test
	sh bench/soak-tsan.sh
fuzz:
	fuzz/run.sh

# Benchmarks (bench/RESULTS.md): not part of "make test", no timing asserts.
BENCHFLAGS ?=
bench: all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) bench/run.tcl --results bench/RESULTS.md $(BENCHFLAGS)
bench-quick: all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) bench/run.tcl --quick $(BENCHFLAGS)
bench-profile: all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) bench/profile.tcl $(BENCHFLAGS)

clean:
	rm -rf $(BUILD) build build-tcl9
