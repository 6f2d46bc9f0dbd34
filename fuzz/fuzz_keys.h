/*
 * Copyright 2026 The mod_foresatt authors
 * SPDX-License-Identifier: Apache-2.0
 *
 * RSA keys for the fuzz targets and their seeds only: made for this, never used anywhere else.
 * A stands for the OP's key with a kid, B for a second key published without one, WEAK (1024 bits)
 * for a key the JWKS parser must drop.
 */
#ifndef FST_FUZZ_KEYS_H
#define FST_FUZZ_KEYS_H

#define FUZZ_KEY_A_KID "fuzz-key-a"

static const char fuzz_key_a_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQDFAXum/34MAvZ6\n"
    "bJRnmji3aHpY8x0XllufQLF5N/XMmtHJAZhPVClZo8n7rOVRl/jZnEuL+b8QSVDg\n"
    "MqfbMSuUuy8JL2wRY13acsegbsHcgMqDMbPdWVX7vjQFtvWR5yzWCdPzTEF28FNg\n"
    "DuOqQKj5er9eF3POGWFof0qYA50kjDfLF4hU2I6Uns4j5YEUo3HgUmG3xocaHkhq\n"
    "812nWYmTxLW1PDOF9PvIARDIXQ1cFy0pK9NkivvfVNphykIo9+ZXX53ulKLdBSYa\n"
    "hatrloAHlYEmgPDd9uoJLdIpws0liZbCVuQxWSuVwfVWprtDK+mddJ1Mnb3qxF1c\n"
    "xV86hjVhAgMBAAECggEABSpo+g/Vl9YpTTwc/1My+OSufhf4V6Ctu/kV2jtIWL5H\n"
    "wU73Vd+roqYFvyGZRPygleCoNrY0j0ZT3oAXiIrjVRfcJ7AQk+tkh+yF7WAQGWJ/\n"
    "ZOWkDSoZNAPYkHyL14C9u0pITmctyYMLVZ/IUpPV1m5Ud6Cy7LjbxfIeBCrGl2Fh\n"
    "ytOZyaYl4gJP8xIKbZFESJGN6m31AXy7a4nIe9sVskmFZ9z5wf9tGWK/ID68c3VZ\n"
    "mRZAmW5jxxcDMBhtFE+ay9YcU88EZqzMm3bYwX2xbJXnGw9tUAQGBlYFk6E77wJ6\n"
    "wcedzvewX5bqI8u0sYYnz1MOJGcqbZODn1UA6HAJgQKBgQDyLcY9aL2ho27EIHYq\n"
    "w+qqEmKjY6LUdkPRk0UON+KwziVvZBVK7N/OnmdHyy8uFN7t/zNfxmCAAAIGDcOz\n"
    "kNr2wDfWSCn5l54dClas/Flk638HKf++Bbm7DWDNwQyMxYA018En4bnr7lvbJL6s\n"
    "aOmvK7PQvktQWozg3Nv9kE59QQKBgQDQP7tv7GKAio3CIgzbc+WYzNpI0dXZxbMq\n"
    "/AmD9JkmM23XyYx9ZcfkS+DJk6l4uAfn8y4jRpJccTLtMMkzamXJP4R9q1ZXfmkW\n"
    "mV2/bxtNQNqbjESC4SCVhosQNg1c7qdPPM8FYPyv+/jq9520JmDUZE9Qm5Jor4mb\n"
    "FJ+Tj5QQIQKBgFKzZvsZhYhpMy4ul6vK85vYY27AW56KNGahD/fnBbay7v23A75u\n"
    "XY9FcKeHrzjhT6+ecoDGUbXkSsyebrInSV7yDR9TzWG6cPghy6+PDUf1U4+yu+68\n"
    "Lcy+qMwanJqF514kP4XLA56Z6yxOw/5EZWi4V9N06GssQOeZBFb2rJcBAoGAYPHa\n"
    "Yx8rN+XIWmCZlavdbYWn9JBium9zmgYcs+YxSXxVnUgBc/rm1FuSeKSaF02suIkX\n"
    "qGpZBlnYOF0mvR3B5q8AEbSqjC6X42JgJxclIZCYdCMXXcpJ7fHlWRWgoOukzZlk\n"
    "Un+1AoQNe+zr6IqZNya/WaoivUNCjwRJyVrktaECgYA/nvr/DZ4KkMTNU3gaLatg\n"
    "7cKyUVc/uprD4RqRc09MHVtUPoqJge9pKFTktlPfCHWthS6mcxK5ro2WH7JjGy9K\n"
    "Tarri6gNg98tLXRRrMfs3gmUpfx+koikgtNNlXMoZdEIt+ZTYD+I9GbTbPl4+mX1\n"
    "9QWKl35osqqkGIVuTixlhw==\n"
    "-----END PRIVATE KEY-----\n";

static const char fuzz_key_b_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvAIBADANBgkqhkiG9w0BAQEFAASCBKYwggSiAgEAAoIBAQCnW2Gi4RZwgq9c\n"
    "zCr8/OFSLvnkVdp0msjyOmAg6q5eT3dRmuv6S0oynt/KDTAGt2iVgyehk5e/P9p7\n"
    "KrGCwbd8kYC5s4pmqnKCYhHAltLB6MnO+446yEEvjktBGB3Yr0AAbz0P1X5Q8XRD\n"
    "xfvfKj0CpIYA3osGuO5hSZZfixVs/c78EAXiTd8w78IzrDljQur6yzXVvxY4Mfdv\n"
    "lcCkN2V1lwbEnVE3p+D7ec5iTgCudWhiW560Pj1a+f/FHZeKGGVJq9vAR2/plFta\n"
    "kiXqUGtiMAYf6XCUZ0h/U+2yx/jpEQQP0+HCjeXGVyHkL1EJlmBT5luBxSg51HkG\n"
    "Sg97ja57AgMBAAECggEAF/E/Ah4r535iwnwOXbF7NhaKDJcVu4nWBrAVnDqcJdo+\n"
    "NTqx2NXYRcQB5cubhn0gZVy6mOc0a0QiKG2+sHiwnI3KZIbMMuIz+KA5bvEvh1Xw\n"
    "4n+Nj65M2RYFK8kHTWkhAbmS+vFtnVHgcr5fyW5Rr8+Za4Vq+VQP/R4ZzmMSS8xh\n"
    "ARK/YMouv9X3c4yVL9RFH+hZr/twS2T0GayUCt2RLzBZLAAyXdIxwujXmTjNr0Ha\n"
    "Ebcm+2a39yjS21MJohxd8sdU+GM10zSPq+qFL/U0MDLubM+8j5IscJi87bbK0CHh\n"
    "IuVouVXsLa4rwIyQsf5uKrKJBg5A29WSL3Pxl7KzwQKBgQDhQCv5wyUBXdovSxJi\n"
    "0AN2/t9aiTcXuL1j86BzDb4poDgnmWZeEJ0mKfKPrzlwwV/fXRb3OgmFA+t6Vp8p\n"
    "dQMwqfpXa4TNXgBr2/EU9+D1HFHikNUvMYOy5LA7LG4RIcy/oNiVSZCV64HVptUP\n"
    "RhgHe/rzNe2q5t2PiUgezvaLwQKBgQC+M//1SjCAY5FfXxUKyIYvmtd+gpOXQ92/\n"
    "ZSGs97NzFfG46Rww0+dEtg2IEHRTRctrBmiuam1+aImFljvIEYrZS9bI8yNeOSUa\n"
    "FK3OK6ixN2ErJuZiG0gi8jjXbq52GWf9/FD1O8KifiquFTvlogrcABsbPuosKz9z\n"
    "JYMdgP25OwKBgA6yVSwyo1N3gCjdyRFRaSh2cLRDh6iwkQrYdnuLRgEJRyCuTZON\n"
    "mfNHgWAGmsTUmSDFvh3bV4uqOc79n9zgmZivPno9taiAnZ5r90ra8X6Mnnsd4Ar4\n"
    "PBOMAEOcHoJXpjhKklcLObfOaeY6wGQCusaiPDlqJ1ujPImE94OrFUMBAoGAToLQ\n"
    "aMPS+WwgGan52ZWkLgpQYVws6AePhO2N1QP6AstQF+/BPzZ5BBfRxhRkr+rjaK4g\n"
    "j75GrCMigQ3eZ1s2YTO42QHj24TjF7zpcWz8GQqvBUztVBnG0QYDCIobYYxjLKf2\n"
    "EwQz9zb1Dx6cttEIgn9YsQprRwgjDLizQn54PPkCgYAnzHiTGH730MsY9xPUzinr\n"
    "f4j/9Zz5+20k961gPw44hyijvVXu3/QIms3V2F/AD90kViT/xvfRQwcOYuDy3PBE\n"
    "ahbo2okTMh2Hx+4OukPJ4+RPM7zzUOIGMF5E+vB35+ZQriR3UYW5caVMxNHBD3AN\n"
    "x5eCDeHLvAkVJbWQ0O0+sA==\n"
    "-----END PRIVATE KEY-----\n";

static const char fuzz_key_weak_pem[] =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBALz/aL5W1Tn3qJ/x\n"
    "DwSb9gxlw6eJpt0qvc2hMTghpDxKjmMmwSZJ62kVNWHaMYZ+IkU21uzGDqy0MGqD\n"
    "p19mzMFLeDl0Iq6rKgSEkplZICq9bZDz5ZBHu8WWzSCc1pNeWv2EgQ6cTlve5NC7\n"
    "1XcFKvqOoASA9KcbBCRqdmnWebzDAgMBAAECgYBA3nE3E1qwQL7R1s1OybET5EHZ\n"
    "WTe6pZbr4y2flHxobTad9YlJ+Qkh0jO2WEuzW8urcf0m23vh7x7HEFT8O65++sLz\n"
    "MLriCeJt0SHCg9Jwp94Q+WNF/OUuNDfVgweuWxUO+aI/vxsSROMFEM5lTXGAiaZF\n"
    "KHu99wi0GY/5t2zS0QJBAN9SMUL1sQqF+FpcRRfxX5pvJtQEcKEzNAKcJZN64L8z\n"
    "8A8G3qQwSjtupsYmtJSNbLT7OzviI7mAb0soZN0yZ0UCQQDYp26w+z9yBQnHqMF+\n"
    "DywTMGO2Qzu8h9m9dS1xl8XNEcURrShfyY/l0d78IVzymRH9tjCNscVtI1g6o/+Q\n"
    "NHBnAkEAl17Y8TAkDqP8URNV6gK78KwCv5c62KkiSdqZRbv2duO3hhf79YKd7mb0\n"
    "OD+oC0FJO+tGnTKNUIGT7ne01pIBmQJAcr+jYfuArAw9FNGtwe2ZQ4SSm1tazU0K\n"
    "p0zjx9FCA45Q2T7kLm+cVnXk65dkGl22aLFRYAry7Q4WUeDAoAkWKwJBANKxlfl4\n"
    "xK0pgOWxrtnwqzuCXb5WOqiOHOro4ZSgdcugUPXMd4qq+lZtdEh1Cx+Bzm9KB73p\n"
    "Fr9RfugLvSguIXI=\n"
    "-----END PRIVATE KEY-----\n";

#endif
