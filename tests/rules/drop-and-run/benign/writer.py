import tempfile
def save(data):
    with tempfile.NamedTemporaryFile(delete=False) as fh:
        fh.write(data)
        return fh.name
