# Last part of the agent: every handler file above has registered its
# operations by now, so the loop can start.
Start-Agent
exit 0
