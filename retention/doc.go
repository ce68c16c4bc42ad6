// Package retention holds the retention schedule (保管期限表): the rules
// that give each archival class its retention period. Later it will also
// hold the retention jobs, disposition (appraisal and destruction), legal
// holds, backups and fixity checks; today it has the schedule.
//
// A schedule is configuration, written as JSON:
//
//	{
//	  "rules": [
//	    {"customer_type": "key", "retention": "D30"},
//	    {"customer_type": "key", "business_area": "machinery", "retention": "Y"}
//	  ],
//	  "default": "D10"
//	}
//
// A rule matches a class when each of its fields is empty (any value) or
// equal to the class's; the year of a class never matters. The most
// specific matching rule decides (both fields set beats one, one beats
// none), the first listed among equals; a class no rule matches gets the
// default. Retentions are "D10" (ten years), "D30" (thirty years) and "Y"
// (permanent).
package retention
