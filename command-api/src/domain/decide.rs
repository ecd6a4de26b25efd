//! Most aggregates decide from their own state alone: [`Decide`] states that as two plain
//! functions, and [`pure_aggregate!`] turns them into cqrs-es's `Aggregate` once for all
//! of them. The order, whose rules read the catalogue, implements `Aggregate` itself.

/// An aggregate's rules as pure functions of its state.
pub trait Decide {
    type Command;
    type Event;
    type Error;

    /// The events `command` gives, in order; none for a command that changes nothing.
    fn decide(&self, command: Self::Command) -> Result<Vec<Self::Event>, Self::Error>;

    /// The state after `event`.
    fn evolve(&mut self, event: Self::Event);
}

/// `impl cqrs_es::Aggregate` for a [`Decide`] aggregate stored as `$type`.
macro_rules! pure_aggregate {
    ($aggregate:ty, $type:expr) => {
        impl cqrs_es::Aggregate for $aggregate {
            const TYPE: &'static str = $type;
            type Command = <$aggregate as $crate::domain::decide::Decide>::Command;
            type Event = <$aggregate as $crate::domain::decide::Decide>::Event;
            type Error = <$aggregate as $crate::domain::decide::Decide>::Error;
            type Services = ();

            async fn handle(
                &mut self,
                command: Self::Command,
                _: &Self::Services,
                sink: &cqrs_es::event_sink::EventSink<Self>,
            ) -> Result<(), Self::Error> {
                for event in $crate::domain::decide::Decide::decide(self, command)? {
                    sink.write(event, self).await;
                }
                Ok(())
            }

            fn apply(&mut self, event: Self::Event) {
                $crate::domain::decide::Decide::evolve(self, event)
            }
        }
    };
}
pub(crate) use pure_aggregate;
