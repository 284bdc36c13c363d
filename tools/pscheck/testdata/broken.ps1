function Broken {
    param($x)
    if ($x -eq 1 {
        'unbalanced'
    }
