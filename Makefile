# Makefile for the tls extension: TLS channels for Tcl over OpenSSL 3.
#
#   make                 build into build/ (library, pkgIndex.tcl, tls.tcl)
#   make test            the whole test suite, loading the package from build/
#   make demo            HTTPS round trip over loopback with full verification
#   make install         into $(DESTDIR)$(PKGDIR) (see below)
#   make clean
#
# Settings: TCL_CONFIG (path of tclConfig.sh), TCLSH, PREFIX, DESTDIR, BUILD,
# TESTFLAGS (passed to tcltest, e.g. TESTFLAGS="-file channel.test").
# Missing Debian packages are installed when run as root (tools/deps.sh).

VERSION    = 1.8.0
PREFIX    ?= /usr/local
DESTDIR   ?=
BUILD     ?= build
TCL_CONFIG ?= $(firstword $(wildcard /usr/lib/x86_64-linux-gnu/tcl8.6/tclConfig.sh \
		/usr/lib/tcl8.6/tclConfig.sh /usr/lib64/tclConfig.sh \
		/usr/local/lib/tclConfig.sh) /usr/lib/tcl8.6/tclConfig.sh)
TCLSH     ?= tclsh8.6
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
	     -DUSE_TCL_STUBS -DPACKAGE_VERSION=\"$(VERSION)\" \
	     -Igeneric $(TCL_INC) $(SSL_CFLAGS) $(CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS_ALL = -shared $(LDFLAGS) $(EXTRA_LDFLAGS)

SRCS = $(wildcard generic/*.c)
OBJS = $(patsubst generic/%.c,$(BUILD)/obj/%.o,$(SRCS))

.PHONY: all deps deps-test deps-demo test demo install clean

all: deps $(BUILD)/lib.stamp

deps:
	@tools/deps.sh build
deps-test:
	@tools/deps.sh test
deps-demo:
	@tools/deps.sh demo

$(BUILD)/obj/%.o: generic/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

$(BUILD)/lib.stamp: $(OBJS) pkgIndex.tcl.in library/tls.tcl Makefile
	$(CC) $(LDFLAGS_ALL) -o $(BUILD)/$(LIBNAME) $(OBJS) $(TCL_STUB) $(SSL_LIBS)
	sed 's/@VERSION@/$(VERSION)/g' pkgIndex.tcl.in > $(BUILD)/pkgIndex.tcl
	cp library/tls.tcl $(BUILD)/tls.tcl
	@touch $@

-include $(OBJS:.o=.d)

test: deps-test all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) tests/all.tcl $(TESTFLAGS)

demo: deps-demo all
	TLS_BUILD_DIR=$(abspath $(BUILD)) $(TCLSH) examples/demo.tcl

install: all
	install -d $(DESTDIR)$(PKGDIR) $(DESTDIR)$(MANDIR)/mann
	install -m 755 $(BUILD)/$(LIBNAME) $(DESTDIR)$(PKGDIR)/
	install -m 644 $(BUILD)/pkgIndex.tcl $(BUILD)/tls.tcl $(DESTDIR)$(PKGDIR)/
	install -m 644 doc/tls.n $(DESTDIR)$(MANDIR)/mann/tls.n

clean:
	rm -rf $(BUILD)
