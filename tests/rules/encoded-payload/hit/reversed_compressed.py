"""Settings kept compressed, base64-encoded and written backwards: an obfuscator's layering."""

BLOB = "93AyPBQAxpCplbCJXSRSB08SLzMSOrk4RJDMyUT1OxSTJ1sSqAVVwGFTPnYSM3sKLxJe"
