# What the project's own plugins share; each compiles in the files it needs (none of it is in
# libforesatt.la or the module).
PLUGIN_COMMON_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/plugins/common
# plugin_say(): a plugin's reason in its status; and the descriptor of ours
PLUGIN_SAY_SOURCES = plugins/common/say.c plugins/common/say.h plugins/common/descriptor.h
# What the store plugins share but their SQL dialect: the operations, the import merge, the purge,
# the migrations runner, the connection pool
STORE_CORE_SOURCES = plugins/common/store_core.c plugins/common/store_core.h \
	plugins/common/store_pool.c plugins/common/store_pool.h \
	plugins/common/store_util.c plugins/common/store_util.h lib/utf8.c lib/utf8.h $(PLUGIN_SAY_SOURCES)
# Folkeregister person documents -> foresatt_person_t, for the register plugins (jansson)
FREG_PARSE_SOURCES = plugins/common/freg_parse.c plugins/common/freg_parse.h lib/json_guard.c lib/json_guard.h
# Folkeregisteret's event feed items -> foresatt_event_t (with FREG_PARSE_SOURCES)
FREG_FEED_SOURCES = plugins/common/freg_feed.c plugins/common/freg_feed.h

check_PROGRAMS += tests/unit/check_freg_parse
tests_unit_check_freg_parse_SOURCES = tests/unit/check_freg_parse.c plugins/common/freg_parse.c plugins/common/freg_parse.h
tests_unit_check_freg_parse_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS)
tests_unit_check_freg_parse_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_freg_parse_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS)

check_PROGRAMS += tests/unit/check_freg_feed
tests_unit_check_freg_feed_SOURCES = tests/unit/check_freg_feed.c $(FREG_FEED_SOURCES) plugins/common/freg_parse.c \
	plugins/common/freg_parse.h $(PLUGIN_SAY_SOURCES)
tests_unit_check_freg_feed_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS)
tests_unit_check_freg_feed_CFLAGS = $(UNIT_CFLAGS) $(JANSSON_CFLAGS)
tests_unit_check_freg_feed_LDADD = $(UNIT_LDADD) $(JANSSON_LIBS)
