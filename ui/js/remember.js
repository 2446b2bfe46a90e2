// What the window remembers from one screen to the next while it is open: the programme last
// worked on in Reflections and Themes, so Themes opens where the facilitator was coding.

let lastProgramme = null;

export function rememberProgramme(id) {
  if (id) lastProgramme = id;
}

export function rememberedProgramme() {
  return lastProgramme;
}
