# The access rule (pure) and the gathering of its inputs from the register and the store.
lib_libforesatt_la_SOURCES += \
	lib/policy/oslo_time.c lib/policy/oslo_time.h \
	lib/policy/rule.c lib/policy/rule.h \
	lib/policy/access.c lib/policy/access.h

check_PROGRAMS += tests/unit/check_policy_oslo_time tests/unit/check_policy_rule
tests_unit_check_policy_oslo_time_SOURCES = tests/unit/check_policy_oslo_time.c
tests_unit_check_policy_oslo_time_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_policy_oslo_time_LDADD = $(UNIT_LDADD)
tests_unit_check_policy_rule_SOURCES = tests/unit/check_policy_rule.c
tests_unit_check_policy_rule_CFLAGS = $(UNIT_CFLAGS)
tests_unit_check_policy_rule_LDADD = $(UNIT_LDADD)
