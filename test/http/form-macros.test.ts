import express from 'express';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { configureViews } from '../../src/http/views.js';
import { PROJECT_ROOT } from '../../src/root.js';
import { page } from '../helpers/page.js';

const env = configureViews(
  express(),
  loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent' }),
  join(PROJECT_ROOT, 'views'),
  '/assets/x',
);

function render(call: string, ctx: Record<string, unknown> = {}): string {
  // Imported as the app's views import it.
  return env.renderString(`{% import "macros/forms.njk" as f %}${call}`, ctx);
}

describe('form components', () => {
  it('shows a field without errors plainly: no red group, no empty message, not marked invalid', () => {
    const html = render(`{{ f.textInput({ name: 'voornaam', label: 'Voornaam', value: 'Eva', errors: errors }) }}`, {
      errors: [{ text: 'Vul de familienaam in.', href: '#familienaam' }],
    });
    expect(html).toContain('<label class="label" for="voornaam">Voornaam</label>');
    expect(html).toContain('value="Eva"');
    expect(html).not.toContain('form-group--error');
    expect(html).not.toContain('aria-invalid');
    expect(html).not.toContain('field-error');
  });

  it('shows the message above the field, linked with aria-describedby, escaped', () => {
    const html = render(
      `{{ f.textInput({ name: 'insz', label: 'INSZ', hint: '11 cijfers', value: '<b>x</b>', errors: errors }) }}`,
      {
        errors: [{ text: 'Dit INSZ klopt niet <script>', href: '#insz' }],
      },
    );
    expect(html).toContain('form-group--error');
    expect(html).toContain(
      '<p class="field-error" id="insz-error"><span class="visually-hidden">Fout:</span> Dit INSZ klopt niet &lt;script&gt;</p>',
    );
    expect(html).toContain('aria-invalid="true"');
    expect(html).toContain('aria-describedby="insz-hint insz-error"');
    expect(html).toContain('value="&lt;b&gt;x&lt;/b&gt;"');
  });

  it('shows a text area’s answer back exactly, also one that starts with a line break', () => {
    const value = '\nEerste regel na een lege regel\r\nen <meer>';
    const html = render(`{{ f.textarea({ name: 'antwoord', label: 'Uw antwoord', value: value, errors: [] }) }}`, {
      value,
    });
    // As a browser reads it (parse5 follows the HTML parser's rule for the first line break in a textarea).
    expect(page(html).value('Uw antwoord')).toBe(value.replace(/\r\n/g, '\n'));
  });

  it('links every error in the summary to its field and focuses the summary', () => {
    const html = render(`{{ f.errorSummary(errors) }}`, {
      errors: [
        { text: 'Kies het type opleiding.', href: '#type' },
        { text: 'Vul de startdatum in.', href: '#startdatum' },
      ],
    });
    expect(html).toContain('Er zijn 2 problemen met uw antwoorden');
    expect(html).toContain('<a href="#type">Kies het type opleiding.</a>');
    expect(html).toMatch(/class="error-summary"[^>]*tabindex="-1"[^>]*autofocus/);
    expect(render(`{{ f.errorSummary([]) }}`).trim()).toBe('');
  });

  it('marks the checked radio and names the group with a legend', () => {
    const html = render(
      `{{ f.radios({ name: 'initiatief', legend: 'Wie nam het initiatief?', value: 'werkgever', items: [{ value: 'werknemer', text: 'De werknemer' }, { value: 'werkgever', text: 'De werkgever' }] }) }}`,
    );
    expect(html).toContain('<legend class="legend">Wie nam het initiatief?</legend>');
    expect(html).toMatch(/id="initiatief-2" name="initiatief" type="radio" value="werkgever" checked/);
    expect(html).not.toMatch(/value="werknemer" checked/);
  });
});
