// Predict the next event: with the mode on (the lecture bar's Predict), Step to event first asks "what
// happens next?" with a few event kinds to choose from (predict.ts); the answer steps the run to the event
// and reveals it, and the score of the session is kept (n right of m). Buttons only: Tab and Enter answer.
import { useEffect, useRef } from 'react';
import { useApp, useAppStore } from '../state/context';

export function PredictToggle() {
  const store = useAppStore();
  const on = useApp((s) => s.predict.on);
  return (
    <button
      type="button"
      className="lecture"
      aria-pressed={on}
      title="Predict the next event: Step to event first asks what happens next"
      onClick={() => store.commands.setPredict(!on)}
    >
      Predict
    </button>
  );
}

export function PredictPanel() {
  const store = useAppStore();
  const predict = useApp((s) => s.predict);
  const first = useRef<HTMLButtonElement>(null);
  const question = predict.question;
  // A question just asked: its first choice takes the focus, so the keyboard answers at once.
  useEffect(() => {
    if (question) first.current?.focus();
  }, [question]);
  if (!predict.on) return null;
  const score = `${predict.right} right of ${predict.answered}`;
  return (
    <section className="predict" aria-label="Predict the next event">
      <h2>
        Predict the next event <span className="subtitle">{score}</span>
      </h2>
      {question ? (
        <fieldset className="choices-set">
          <legend>What happens next?</legend>
          <div className="choices">
            {question.choices.map((kind, i) => (
              <button key={kind} ref={i === 0 ? first : undefined} type="button" onClick={() => store.commands.answerPrediction(kind)}>
                {kind}
              </button>
            ))}
          </div>
        </fieldset>
      ) : predict.asking ? (
        <p>Looking ahead…</p>
      ) : (
        <p>Press Step to event (F11) to be asked what happens next.</p>
      )}
      {predict.last && (
        <p className={`verdict ${predict.last.chosen === predict.last.actual ? 'right' : 'wrong'}`} aria-live="polite">
          {predict.last.chosen === predict.last.actual
            ? `Right: ${predict.last.actual}.`
            : `Not quite: it was ${predict.last.actual} (you said ${predict.last.chosen}).`}
        </p>
      )}
    </section>
  );
}
