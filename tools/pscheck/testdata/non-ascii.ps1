$a = 'smart “quotes”'
