from acme.net import ping

ping()
