"""Studies: experiments that compare the library's methods, each returning its data."""
