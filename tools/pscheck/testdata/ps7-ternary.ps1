$a = 1
$b = ($a -gt 0) ? "pos" : "neg"
