sbin_PROGRAMS += tools/foresattctl/foresattctl
tools_foresattctl_foresattctl_SOURCES = \
	tools/foresattctl/main.c tools/foresattctl/ctl.h tools/foresattctl/ctl_config.c \
	tools/foresattctl/cmd_check_id.c \
	tools/foresattctl/cmd_plugins.c \
	tools/foresattctl/cmd_lookup.c
tools_foresattctl_foresattctl_CPPFLAGS = $(AM_CPPFLAGS) \
	-DFORESATT_DEFAULT_CONFIG='"$(sysconfdir)/apache2/conf-available/foresatt.conf"'
tools_foresattctl_foresattctl_LDADD = lib/libforesatt.la $(APR_LIBS)
# register (issue 4): cmd_lookup prints JSON
tools_foresattctl_foresattctl_CFLAGS = $(AM_CFLAGS) $(JANSSON_CFLAGS)
tools_foresattctl_foresattctl_LDADD += $(JANSSON_LIBS)
# store and records (issue 5)
tools_foresattctl_foresattctl_SOURCES += \
	tools/foresattctl/ctl_store.c tools/foresattctl/cmd_import.c tools/foresattctl/cmd_purge.c \
	tools/foresattctl/cmd_paper_list.c tools/foresattctl/cmd_audit.c tools/foresattctl/cmd_export.c
# authorization (issue 6)
tools_foresattctl_foresattctl_SOURCES += tools/foresattctl/cmd_decide.c
# the register's changes (issue 16)
tools_foresattctl_foresattctl_SOURCES += tools/foresattctl/cmd_follow.c tools/foresattctl/cmd_sync.c
