exec(")'olleh'(tnirp"[::-1])
