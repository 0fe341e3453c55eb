# Makefile for the tls extension: TLS channels for Tcl over OpenSSL 3.
#
#   make                 build into build/ (library, pkgIndex.tcl, tls.tcl)
#   make test            the whole test suite, loading the package from build/
#   make demo            HTTPS round trip over loopback with full verification
#   make install         into $(DESTDIR)$(PKGDIR) (see below)
#   make deps            install the Debian packages the build, the demo and
#                        the tests need (as root; tools/deps.sh)
#   make test-tcl9       build and run the whole suite under Tcl 9.0 and
#                        OpenSSL 3.5, in a Debian 13 tree (tools/tcl9.sh)
#   make test-windows    cross-build tls180.dll and run the whole suite
#                        under Wine with a Windows tclsh86.exe and
#                        openssl.exe (tools/test-windows.sh)
#   make clean           remove the build directories
#   make distclean       also remove config.mk
#
# Two ways to use it:
#
# 1. On a Debian machine, without ./configure (the README's two commands):
#    the Tcl and OpenSSL of the system, found below. "make test" and
#    "make demo" install missing Debian packages when run as root (or print
#    the apt-get line); every other target only checks that they are
#    there and stops with that line if not.
#
# 2. After ./configure (the packagers' way; ./configure --help): config.mk
#    holds every setting -- tclConfig.sh, OpenSSL, compiler, link command,
#    library suffix, platform, directories -- and this file guesses nothing
#    and never runs tools/deps.sh or apt-get (except "make deps", asked
#    for by name). Command-line settings (make CFLAGS=...) still win.
#
# One source builds for Tcl 8.6 and Tcl 9.0; a stubs library serves only
# the Tcl it was built for, so each has its own build directory:
#   make                 Tcl 8.6 -> build/libtls1.8.0.so
#   make TCL=9.0         Tcl 9.0 -> build-tcl9/libtcl9tls1.8.0.so (on a
#                        machine with tcl9.0-dev, e.g. Debian 13)
# TCL_CONFIG=.../tclConfig.sh also selects the Tcl (TCL then follows it).
# For Windows (./configure --host=x86_64-w64-mingw32 ...) the library is
# tls180.dll (tcl9tls180.dll for Tcl 9), built from win/ instead of unix/.
# Libraries for several Tcls may be installed into one directory: the
# pkgIndex.tcl is the same for all and loads the one for the Tcl that
# reads it.
#
# Settings: TCL, TCL_CONFIG (path of tclConfig.sh), TCLSH, PREFIX (without
# configure; with it: prefix, libdir, mandir), PKGDIR, MANDIR, DESTDIR,
# BUILD, CC, CFLAGS, CPPFLAGS, LDFLAGS, OPT (default -O2 -g), TESTFLAGS
# (passed to tcltest, e.g. TESTFLAGS="-file channel.test").
#
# Copyright (c) 2026 the tls authors.
# See the file "license.terms" for terms of use and redistribution.

VERSION    = 1.8.0
# The version without dots, as Windows library names carry it.
NODOTS     = $(subst .,,$(VERSION))

# ---- Settings: config.mk if ./configure wrote one ------------------------

# CONFIG_MK= (empty) ignores config.mk, as test-tcl9 does.
CONFIG_MK ?= config.mk
-include $(CONFIG_MK)

ifeq ($(CONFIGURED),yes)

# Everything but these comes from config.mk.
PKGDIR    ?= $(libdir)/tls$(VERSION)
MANDIR    ?= $(mandir)
SHLIB_LD  ?= $(CC) -shared $(LDFLAGS)
DEPS_STEP  =

else

# ---- Settings: the Debian defaults, without configure --------------------

PREFIX    ?= /usr/local
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
# Recursive (=): looked up again once tools/deps.sh has installed Tcl.
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

# Read lazily (=), after tools/deps.sh has made sure the files exist.
tclvar     = $(shell . $(TCL_CONFIG) && eval echo "\$$$(1)")
TCL_INC    = $(call tclvar,TCL_INCLUDE_SPEC)
TCL_STUB   = $(call tclvar,TCL_STUB_LIB_SPEC)
SSL_CFLAGS = $(shell pkg-config --cflags openssl)
SSL_LIBS   = $(shell pkg-config --libs openssl)
PLATFORM   = unix
SHLIB_SUFFIX = .so
SHLIB_CFLAGS = -fPIC
SHLIB_LD   = $(CC) -shared $(LDFLAGS)

# Before anything is compiled, tools/deps.sh looks for the Debian
# packages: "make test" and "make demo" (the README's two commands)
# install what is missing, as root; every other target only checks, and
# stops with the apt-get line to run if something is missing.
DEPS_STEP  = deps-auto
DEPS_SET   = $(if $(filter test check-tsan,$(MAKECMDGOALS)),test,$(if $(filter demo,$(MAKECMDGOALS)),demo,build))
DEPS_MODE  = $(if $(filter test demo,$(MAKECMDGOALS)),install,check)

endif

# ---- Derived ------------------------------------------------------------

TCL_MAJOR  = $(firstword $(subst ., ,$(TCL)))
TESTFLAGS ?=

# Library names by platform convention; the pkgIndex.tcl computes the same.
ifeq ($(PLATFORM),win)
LIBNAME    = $(if $(filter 8,$(TCL_MAJOR)),,tcl$(TCL_MAJOR))tls$(NODOTS)$(SHLIB_SUFFIX)
# Exports come from DLLEXPORT (generic/tls.h); nothing else is visible.
PLATFORM_CFLAGS =
else
LIBNAME    = lib$(if $(filter 8,$(TCL_MAJOR)),,tcl$(TCL_MAJOR))tls$(VERSION)$(SHLIB_SUFFIX)
PLATFORM_CFLAGS = -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -fvisibility=hidden
endif

OPT       ?= -O2 -g
CFLAGS_ALL = -std=c99 $(PLATFORM_CFLAGS) \
	     $(OPT) -Wall -Wextra $(SHLIB_CFLAGS) \
	     -DUSE_TCL_STUBS -DBUILD_tls -DTCL_THREADS=1 -DPACKAGE_VERSION=\"$(VERSION)\" \
	     -Igeneric $(TCL_INC) $(SSL_CFLAGS) $(CPPFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)

# generic/ is platform-neutral; unix/ or win/ holds the services it calls
# (generic/tlsPlatform.h).
SRCS = $(wildcard generic/*.c $(PLATFORM)/*.c)
OBJS = $(patsubst %.c,$(BUILD)/obj/%.o,$(notdir $(SRCS)))
vpath %.c generic $(PLATFORM)

.PHONY: all deps deps-auto test demo install clean distclean test-tcl9 \
	test-windows FORCE \
	bench bench-quick bench-profile check-asan check-valgrind check-tsan \
	fuzz

all: $(BUILD)/lib.stamp

# ---- Debian packages (tools/deps.sh) ------------------------------------

deps:
	@tools/deps.sh install test $(TCL)
deps-auto:
	@tools/deps.sh $(DEPS_MODE) $(DEPS_SET) $(TCL)

# ---- Build ----------------------------------------------------------------

# Records which tclConfig.sh the objects were compiled against, so that
# pointing one BUILD directory at another Tcl, or changing the compiler
# flags, recompiles everything; and stops early if that file is not the
# Tcl asked for.
$(BUILD)/tclconfig: FORCE $(DEPS_STEP)
	@v=$$(. '$(TCL_CONFIG)' && echo "$$TCL_VERSION"); \
	if [ "$$v" != "$(TCL)" ]; then \
	    echo "$(TCL_CONFIG) is Tcl '$$v', not $(TCL)" >&2; exit 1; \
	fi; \
	mkdir -p $(BUILD); \
	line='$(TCL_CONFIG) '"$$v"' $(CC) $(CFLAGS_ALL)'; \
	printf '%s\n' "$$line" | cmp -s - $@ || printf '%s\n' "$$line" > $@
FORCE:

$(BUILD)/obj/%.o: %.c $(BUILD)/tclconfig
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/lib.stamp: $(OBJS) pkgIndex.tcl.in library/tls.tcl Makefile $(wildcard $(CONFIG_MK))
	rm -f $(BUILD)/$(LIBNAME)
	$(SHLIB_LD) $(EXTRA_LDFLAGS) -o $(BUILD)/$(LIBNAME) $(OBJS) $(TCL_STUB) $(SSL_LIBS)
	sed -e 's/@VERSION@/$(VERSION)/g' -e 's/@NODOTS@/$(NODOTS)/g' \
	    pkgIndex.tcl.in > $(BUILD)/pkgIndex.tcl
	cp library/tls.tcl $(BUILD)/tls.tcl
	@touch $@

-include $(OBJS:.o=.d)

# ---- Test, demo, install -------------------------------------------------

# A cross build (config.mk from ./configure --host) has no tclsh here.
need-tclsh = @[ -n "$(TCLSH)" ] || { echo "no TCLSH: this build (host $(host)) cannot run here; give TCLSH=..." >&2; exit 1; }

test: all
	$(need-tclsh)
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) tests/all.tcl $(TESTFLAGS)

# The Tcl 9 lane: Debian 13 tree (made once, kept in TCL9_ROOT, default
# /var/cache/tls-tcl9), then "make TCL=9.0 test" inside it, as
# "tools/tcl9.sh test" does, but ignoring a config.mk written for this
# machine (the source directory is shared with the tree). Needs root.
test-tcl9:
	tools/tcl9.sh tree
	TESTFLAGS="$(TESTFLAGS)" tools/tcl9.sh run \
	    'echo "Tcl $$(echo "puts [info patchlevel]" | tclsh9.0), $$(openssl version)" && make CONFIG_MK= TCL=9.0 test'

# The Windows lane: tools/win.sh's cache (/var/cache/tls-win: Tcl 8.6 and
# OpenSSL cross-built with mingw-w64, a Wine prefix; made once, as root
# the first time), tls180.dll built into build-test-windows/ with its own
# settings there (a config.mk of this checkout is neither read nor
# changed), then the whole suite under Wine on 127.0.0.1 with the
# Windows tclsh86.exe and openssl.exe. TESTFLAGS as for "make test".
test-windows: $(DEPS_STEP)
	tools/test-windows.sh $(TESTFLAGS)

demo: all
	$(need-tclsh)
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) examples/demo.tcl

install: all
	install -d $(DESTDIR)$(PKGDIR) $(DESTDIR)$(MANDIR)/mann
	install -m 755 $(BUILD)/$(LIBNAME) $(DESTDIR)$(PKGDIR)/
	install -m 644 $(BUILD)/pkgIndex.tcl $(BUILD)/tls.tcl $(DESTDIR)$(PKGDIR)/
	install -m 644 doc/tls.n $(DESTDIR)$(MANDIR)/mann/tls.n

# ---- Checkers and benchmarks ----------------------------------------------

# Memory checkers and fuzzers (see the header of each script).
check-asan:
	tools/asan.sh $(TESTFLAGS)
check-valgrind: all
	tools/valgrind.sh $(TESTFLAGS)
check-tsan: $(DEPS_STEP)
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
	rm -rf $(BUILD) build build-tcl9 build-test-windows

distclean: clean
	rm -f config.mk config.mk.new
