"""Korean date and time formats: 오전/오후 come before the time ("오후 9:15")."""

DATETIME_FORMAT = "Y년 n월 j일 A g:i"
TIME_FORMAT = "A g:i"
