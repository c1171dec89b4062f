'use strict';

// The page talks to the same server's API: POST /v1/classify (multipart field "image") and GET /v1/model.
const input = document.getElementById('image-input');
const dropZone = document.getElementById('drop-zone');
const statusText = document.getElementById('status');
const list = document.getElementById('predictions');
const figure = document.getElementById('preview-figure');
const preview = document.getElementById('preview');
const caption = document.getElementById('preview-caption');
let previewUrl = null;

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
    const labelValue = document.createElement('span');
    labelValue.className = 'probability';
    labelValue.textContent = percent;
    label.append(labelName, labelValue);
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
