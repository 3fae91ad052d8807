//! When units and offices work, in their own time zone, so clients need no fixed offset.

use async_graphql::{ComplexObject, Context, SimpleObject};

use super::context::{GqlResult, gql, state};
use super::types::Office;
use crate::store::workflow::{self, Calendar};

/// The working calendar interviews are booked in. Times of day are local to `timeZone`.
#[derive(SimpleObject, Clone)]
pub struct WorkingCalendar {
    /// IANA time zone the times of day are in, e.g. America/Guayaquil.
    pub time_zone: String,
    /// The unit's offset from UTC in minutes (-300 for mainland Ecuador); informative only:
    /// convert with `timeZone`, which also knows an office's own zone.
    pub utc_offset_minutes: i32,
    /// When the working day starts, local time, "HH:MM".
    pub day_starts: String,
    /// When the working day ends, local time, "HH:MM".
    pub day_ends: String,
    /// Working days as ISO weekdays, Monday = 1.
    pub working_days: Vec<i32>,
    /// Days the office is closed although they are working days (YYYY-MM-DD, ascending); an
    /// operation unit's calendar has none (each office keeps its own).
    pub holidays: Vec<String>,
}

fn hh_mm(minutes: u32) -> String {
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

impl WorkingCalendar {
    fn new(time_zone: String, c: &Calendar) -> Self {
        Self {
            time_zone,
            utc_offset_minutes: c.utc_offset_minutes,
            day_starts: hh_mm(c.day_starts),
            day_ends: hh_mm(c.day_ends),
            working_days: c
                .working_days
                .iter()
                .map(|d| i32::try_from(*d).unwrap_or(0))
                .collect(),
            holidays: Vec::new(),
        }
    }
}

pub(super) async fn calendar_of(
    ctx: &Context<'_>,
    unit_id: String,
    time_zone: String,
) -> GqlResult<WorkingCalendar> {
    let settings = state(ctx)
        .db
        .read(move |c| workflow::unit_settings(c, &unit_id))
        .await
        .map_err(gql)?;
    Ok(WorkingCalendar::new(time_zone, &settings.calendar))
}

#[ComplexObject]
impl Office {
    /// The office's working hours, days and holidays, in its time zone: its own hours where a
    /// unit admin set them, else the unit's. Interviews are booked against this calendar.
    async fn working_hours(&self, ctx: &Context<'_>) -> GqlResult<WorkingCalendar> {
        let (office_id, unit_id) = (self.id.to_string(), self.unit_id.clone());
        let office = state(ctx)
            .db
            .read(move |c| {
                let settings = workflow::unit_settings(c, &unit_id)?;
                workflow::office_calendar(c, &office_id, &settings)
            })
            .await
            .map_err(gql)?;
        let mut calendar = WorkingCalendar::new(office.zone.name().to_string(), &office.hours);
        calendar.holidays = office.holidays.iter().map(|d| d.to_string()).collect();
        Ok(calendar)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_calendar_is_ecuadors_working_week() {
        let c = WorkingCalendar::new("America/Guayaquil".into(), &Calendar::default());
        assert_eq!(
            (c.day_starts.as_str(), c.day_ends.as_str()),
            ("08:00", "17:00")
        );
        assert_eq!(c.working_days, vec![1, 2, 3, 4, 5]);
        assert_eq!(c.utc_offset_minutes, -300);
        assert_eq!(hh_mm(8 * 60 + 5), "08:05");
    }
}
