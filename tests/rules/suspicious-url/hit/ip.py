URL = "http://203.0.113.77:8080/update.exe"
