# The file register: Folkeregister-shaped <number>.json documents in a directory (development, demo).
plugin_LTLIBRARIES += plugins/registry_file/registry_file.la
plugins_registry_file_registry_file_la_SOURCES = plugins/registry_file/registry_file.c \
	plugins/registry_file/journal.c plugins/registry_file/journal.h \
	$(PLUGIN_SAY_SOURCES) $(FREG_PARSE_SOURCES) $(FREG_FEED_SOURCES)
plugins_registry_file_registry_file_la_CPPFLAGS = $(PLUGIN_COMMON_CPPFLAGS)
plugins_registry_file_registry_file_la_CFLAGS = $(PLUGIN_CFLAGS) $(JANSSON_CFLAGS)
plugins_registry_file_registry_file_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_registry_file_registry_file_la_LIBADD = $(JANSSON_LIBS)
