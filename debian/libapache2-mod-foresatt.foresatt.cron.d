# Copyright 2026 The mod_foresatt authors
# SPDX-License-Identifier: Apache-2.0
# mod_foresatt's daily retention job where systemd is not running; with systemd,
# foresatt-purge.timer runs it and this line does nothing.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin
15 3 * * * root [ ! -d /run/systemd/system ] && [ -x /usr/sbin/foresattctl ] && [ -f /etc/apache2/conf-available/foresatt.conf ] && foresattctl purge >/dev/null
