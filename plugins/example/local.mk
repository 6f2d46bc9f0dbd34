# The example plugin from docs/plugin-authors.md: built, installed and loaded by the tests.
plugin_LTLIBRARIES += plugins/example/registry_example.la
plugins_example_registry_example_la_SOURCES = plugins/example/registry_example.c
plugins_example_registry_example_la_CFLAGS = $(PLUGIN_CFLAGS)
plugins_example_registry_example_la_LDFLAGS = $(PLUGIN_LDFLAGS)
