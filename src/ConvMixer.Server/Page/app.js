'use strict';

// The page talks to the same server's API: POST /v1/classify and POST /v1/explain (multipart field "image") and
// GET /v1/model.
const input = document.getElementById('image-input');
const dropZone = document.getElementById('drop-zone');
const statusText = document.getElementById('status');
const list = document.getElementById('predictions');
const figure = document.getElementById('preview-figure');
const preview = document.getElementById('preview');
const caption = document.getElementById('preview-caption');
const overlay = document.getElementById('overlay');
const toggle = document.getElementById('heatmap-toggle');
const heatmapStatus = document.getElementById('heatmap-status');
let previewUrl = null;
let overlayUrl = null;
let currentFile = null;
// Bumped by every new image and every map asked for, so a late answer never replaces a newer one.
let generation = 0;

toggle.addEventListener('change', showHeatmap);

fetch('/v1/model')
  .then(response => response.ok ? response.json() : Promise.reject(new Error('the model is not loaded yet')))
  .then(model => {
    const a = model.architecture;
    document.getElementById('model-info').textContent =
      `${model.name}: ${a.name}, ${model.classes.length} classes, ${model.preprocessing.input_size}×${model.preprocessing.input_size} input.`;
  })
  .catch(error => { document.getElementById('model-info').textContent = `Model: ${error.message}.`; });

input.addEventListener('change', () => {
  if (input.files.length > 0) classify(input.files[0]);
});

['dragenter', 'dragover'].forEach(type => dropZone.addEventListener(type, event => {
  event.preventDefault();
  dropZone.classList.add('dragging');
}));
['dragleave', 'drop'].forEach(type => dropZone.addEventListener(type, () => dropZone.classList.remove('dragging')));
dropZone.addEventListener('drop', event => {
  event.preventDefault();
  const file = event.dataTransfer.files[0];
  if (!file) return;
  input.value = ''; // the chooser no longer names the image shown
  classify(file);
});

async function classify(file) {
  currentFile = file;
  generation++;
  resetHeatmap();
  showPreview(file);
  list.replaceChildren();
  statusText.className = '';
  statusText.textContent = `Classifying ${file.name}…`;
  const form = new FormData();
  form.append('image', file, file.name);
  try {
    const response = await fetch('/v1/classify?top=5', { method: 'POST', body: form });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || `the server answered ${response.status}`);
    showPredictions(file.name, body);
    const top = body.predictions[0];
    if (currentFile === file) explain(file, top.index, top.label, false);
  } catch (error) {
    statusText.className = 'error';
    statusText.textContent = `Could not classify ${file.name}: ${error.message}.`;
  }
}

function showPreview(file) {
  if (previewUrl) URL.revokeObjectURL(previewUrl);
  previewUrl = URL.createObjectURL(file);
  preview.src = previewUrl;
  preview.alt = `The uploaded image ${file.name}`;
  caption.textContent = file.name;
  figure.hidden = false;
}

function showPredictions(name, body) {
  const items = body.predictions.map(p => {
    const percent = (p.probability * 100).toFixed(1) + '%';
    const item = document.createElement('li');
    item.className = 'prediction';
    const label = document.createElement('div');
    label.className = 'prediction-label';
    const labelName = document.createElement('span');
    labelName.className = 'label';
    labelName.textContent = p.label;
    // The class name is a button: it shows where the model found evidence for that class.
    const choose = document.createElement('button');
    choose.type = 'button';
    choose.className = 'explain';
    choose.dataset.index = p.index;
    choose.setAttribute('aria-pressed', 'false');
    choose.title = `Show where the model looked for ${p.label}`;
    choose.append(labelName);
    choose.addEventListener('click', () => explain(currentFile, p.index, p.label, true));
    const labelValue = document.createElement('span');
    labelValue.className = 'probability';
    labelValue.textContent = percent;
    label.append(choose, labelValue);
    // A bar for the eye; screen readers get the same number from the text and the meter role.
    const bar = document.createElement('div');
    bar.className = 'bar';
    bar.setAttribute('role', 'meter');
    bar.setAttribute('aria-label', `${p.label} probability`);
    bar.setAttribute('aria-valuemin', '0');
    bar.setAttribute('aria-valuemax', '100');
    bar.setAttribute('aria-valuenow', (p.probability * 100).toFixed(1));
    const fill = document.createElement('span');
    fill.style.width = percent;
    bar.append(fill);
    item.append(label, bar);
    return item;
  });
  list.replaceChildren(...items);
  statusText.textContent = `${name}: ${body.predictions[0].label} (${(body.predictions[0].probability * 100).toFixed(1)}%), in ${body.elapsed_ms} ms.`;
}

// POST /v1/explain answers the overlay as a PNG: the map in viridis colours over the image as the model saw it.
async function explain(file, index, label, show) {
  const mine = ++generation;
  toggle.disabled = true;
  heatmapStatus.className = '';
  heatmapStatus.textContent = `Computing where the model looked for ${label}…`;
  const form = new FormData();
  form.append('image', file, file.name);
  try {
    const response = await fetch(`/v1/explain?class=${index}`, { method: 'POST', body: form });
    if (!response.ok) {
      const body = await response.json();
      throw new Error(body.error || `the server answered ${response.status}`);
    }
    const blob = await response.blob();
    if (mine !== generation) return;
    if (overlayUrl) URL.revokeObjectURL(overlayUrl);
    overlayUrl = URL.createObjectURL(blob);
    overlay.src = overlayUrl;
    overlay.alt = `Where the model looked for ${label} in ${file.name}, as a heat map over the image it saw`;
    overlay.dataset.index = index;
    document.querySelectorAll('button.explain').forEach(b => b.setAttribute('aria-pressed', String(b.dataset.index === String(index))));
    heatmapStatus.textContent = `Map for ${label}: yellow where the evidence for it is strongest, dark purple where there is none.`;
    toggle.disabled = false;
    if (show) toggle.checked = true;
    showHeatmap();
  } catch (error) {
    if (mine !== generation) return;
    heatmapStatus.className = 'error';
    heatmapStatus.textContent = `No map for ${label}: ${error.message}.`;
  }
}

function showHeatmap() {
  const on = toggle.checked && !toggle.disabled;
  overlay.hidden = !on;
  preview.hidden = on;
}

function resetHeatmap() {
  toggle.checked = false;
  toggle.disabled = true;
  overlay.hidden = true;
  overlay.removeAttribute('src');
  preview.hidden = false;
  heatmapStatus.className = '';
  heatmapStatus.textContent = '';
}
