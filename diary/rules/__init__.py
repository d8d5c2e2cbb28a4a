"""Pure clinical rules: functions of plain values, no database, no clock."""
