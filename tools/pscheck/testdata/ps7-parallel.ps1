1..3 | ForEach-Object -Parallel { $_ }
