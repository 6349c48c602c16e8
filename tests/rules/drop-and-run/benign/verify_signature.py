import subprocess
import tempfile


def verify(gpg, signature, data):
    # the temp files are data handed to gpg, not programs
    with (
        tempfile.NamedTemporaryFile(suffix=".sig") as sig_file,
        tempfile.NamedTemporaryFile(suffix=".dat") as data_file,
    ):
        sig_file.write(signature)
        data_file.write(data)
        sig_file.flush()
        data_file.flush()
        args = [gpg, "--verify", sig_file.name, data_file.name]
        return subprocess.run(args, capture_output=True, check=False).returncode == 0
