URL = "http://127.0.0.1:8000/api"
DOCS = "https://docs.python.org/3/"
