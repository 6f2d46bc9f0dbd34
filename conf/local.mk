# Configuration examples ship whole; tests/integration/test_*conf*.py checks each with apachectl -t.
EXTRA_DIST += conf
