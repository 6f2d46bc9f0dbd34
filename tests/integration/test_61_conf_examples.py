"""Every configuration example in conf/ passes `apachectl -t` as it stands: placeholder secrets
kept, its paths pointed at generated stand-ins (RSA keys, a self-signed certificate, a dummy PEM,
directories), the plugins from this build, and only the modules a Debian install has enabled plus
those the example's own `a2enmod` line names. foresattctl reads the same file."""
import datetime
import os
import re
import subprocess

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from fstest import paths
from fstest.net import free_port

CONF_DIR = os.path.join(paths.SRCDIR, "conf")
EXAMPLES = sorted(f for f in os.listdir(CONF_DIR) if f.endswith(".conf"))

# What `a2enmod` leaves enabled on a fresh Debian 12 apache2 (mods-enabled/ after install).
DEBIAN_DEFAULT_MODULES = ["mpm_event", "access_compat", "alias", "auth_basic", "authn_core", "authn_file",
                          "authz_core", "authz_host", "authz_user", "autoindex", "deflate", "dir", "env", "filter",
                          "mime", "negotiation", "reqtimeout", "setenvif", "status"]
# a2enmod's dependencies (the modules' .load files say which).
A2ENMOD_DEPENDS = {"proxy_http": ["proxy"], "ssl": ["socache_shmcb"]}


def write(path, data, mode=0o644):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    os.chmod(path, mode)
    return path


def rsa_pem(bits=2048):
    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    return key, key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())


def self_signed(key, host="portal.skole.no"):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(host)]), critical=False)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    """The example's absolute paths, each mapped to a generated stand-in."""
    d = tmp_path_factory.mktemp("conf-files")
    tls_key, tls_key_pem = rsa_pem()
    _, client_pem = rsa_pem()
    _, maskinporten_pem = rsa_pem()
    os.makedirs(d / "lib" / "freg")
    os.makedirs(d / "lib" / "data")
    mapping = {
        "/etc/ssl/certs/portal.skole.no.pem": write(str(d / "tls.pem"), self_signed(tls_key)),
        "/etc/ssl/private/portal.skole.no.key": write(str(d / "tls.key"), tls_key_pem, 0o600),
        "/etc/foresatt/idporten-client.pem": write(str(d / "client.pem"), client_pem, 0o600),
        "/etc/foresatt/maskinporten.pem": write(str(d / "maskinporten.pem"), maskinporten_pem, 0o600),
        "/etc/foresatt/db-ca.pem": write(str(d / "db-ca.pem"), self_signed(tls_key, "db.skole.no")),
        "/etc/foresatt/pgpass": write(str(d / "pgpass"), "db.skole.no:5432:foresatt:foresatt:dummy\n", 0o600),
        "/var/lib/foresatt/freg": str(d / "lib" / "freg"),
        "/var/lib/foresatt/foresatt.db": str(d / "lib" / "data" / "foresatt.db"),
    }
    return mapping


def localise(text, files):
    """The example with its paths replaced; fails on an absolute path the test does not know."""
    text = re.sub(r"/usr/lib/foresatt/(\w+)\.so", lambda m: paths.plugin(m.group(1)), text)
    for path, local in sorted(files.items(), key=lambda kv: -len(kv[0])):
        text = text.replace(path, local)
    directives = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    unknown = re.findall(r"(?<![\w.:/])/(?:etc|var|usr|srv|run|opt)/[^\s\"]+", directives)
    assert not unknown, f"paths in the example that this test does not provide: {unknown}"
    return text


def modules_for(text):
    m = re.search(r"^#\s+a2enmod ([\w ]+?)(?:\s*&&|$)", text, re.M)
    assert m, "the example says which modules to enable (a '#   a2enmod ...' line)"
    wanted = []
    for name in m.group(1).split():
        for dep in A2ENMOD_DEPENDS.get(name, []) + [name]:
            if dep not in wanted and dep != "foresatt":
                wanted.append(dep)
    assert "foresatt" in m.group(1).split(), "a2enmod names foresatt"
    return DEBIAN_DEFAULT_MODULES + wanted


def base_config(root, modules):
    lines = [f'ServerRoot "{root}"', f'DefaultRuntimeDir "{root}"', f'PidFile "{root}/httpd.pid"',
             f"Listen 127.0.0.1:{free_port()}", f'ErrorLog "{root}/error_log"', "ServerName localhost"]
    for m in modules:
        lines.append(f"LoadModule {m}_module {paths.HTTPD_MODULES_DIR}/mod_{m}.so")
    lines.append(f"LoadModule foresatt_module {paths.module()}")
    return "\n".join(lines) + "\n"


def test_there_are_examples_for_each_setup():
    assert set(EXAMPLES) >= {"idporten-test.conf", "production.conf", "registry-freg-test.conf",
                             "several-servers-pgsql.conf", "mod-auth-openidc.conf"}


def test_the_load_file_names_the_installed_module():
    with open(os.path.join(CONF_DIR, "foresatt.load")) as f:
        text = f.read()
    assert re.search(r"^LoadModule foresatt_module /usr/lib/apache2/modules/mod_foresatt\.so$", text, re.M)


@pytest.mark.parametrize("example", EXAMPLES)
def test_example_passes_configtest(example, files, tmp_path):
    with open(os.path.join(CONF_DIR, example)) as f:
        original = f.read()
    text = localise(original, files)
    modules = modules_for(original) if "a2enmod" in original else DEBIAN_DEFAULT_MODULES
    conf = write(str(tmp_path / "httpd.conf"), base_config(str(tmp_path), modules) + text)
    p = subprocess.run([paths.HTTPD, "-t", "-f", conf], capture_output=True, text=True, timeout=60,
                       env=paths.httpd_env())
    assert p.returncode == 0 and "Syntax OK" in p.stdout + p.stderr, f"{example}:\n{p.stdout}{p.stderr}"
    problems = [line for line in (p.stdout + p.stderr).splitlines()
                if re.search(r"\b(warn|error|emerg|crit|alert)\b|AH\d+", line)]
    assert not problems, f"{example}: configtest complained:\n" + "\n".join(problems)

    # foresattctl reads the same file: every plugin loads (and starts, where it needs no server)
    if "store_pgsql" not in text:
        p = subprocess.run([paths.tool(), "--config", conf, "plugins"], capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, f"{example}: foresattctl plugins:\n{p.stdout}{p.stderr}"
        assert p.stdout.strip(), p.stderr


def test_a_missing_secret_fails_configtest_in_words(files, tmp_path):
    """The examples are not accepted whatever they say: drop the client secret and configtest names it."""
    with open(os.path.join(CONF_DIR, "idporten-test.conf")) as f:
        text = localise(f.read(), files)
    text = re.sub(r"^\s*ForesattClientSecret .*$", "", text, flags=re.M)
    conf = write(str(tmp_path / "httpd.conf"), base_config(str(tmp_path), modules_for(text)) + text)
    p = subprocess.run([paths.HTTPD, "-t", "-f", conf], capture_output=True, text=True, timeout=60,
                       env=paths.httpd_env())
    assert p.returncode != 0
    assert "ForesattClientAuth client_secret_post needs ForesattClientSecret" in p.stdout + p.stderr
