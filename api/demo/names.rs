//! Fictional names and texts for the demo, English and French.

use super::Dice;

const GIVEN_EN: &[&str] = &[
    "Liam", "Olivia", "Noah", "Emma", "Ethan", "Ava", "Lucas", "Amelia", "Mason", "Chloe", "Aiden", "Maya", "Owen",
    "Sophia", "Caleb", "Hannah", "Jayden", "Aaliyah", "Ryan", "Priya", "Omar", "Fatima", "Daniel", "Grace", "Tyler",
    "Zoe", "Kai", "Leah", "Nathan", "Isla",
];
const FAMILY_EN: &[&str] = &[
    "Smith",
    "Brown",
    "Wilson",
    "MacDonald",
    "Campbell",
    "Anderson",
    "Taylor",
    "Patel",
    "Nguyen",
    "Ali",
    "Singh",
    "Thompson",
    "Martin",
    "White",
    "Young",
    "Clarke",
    "Kowalski",
    "Osei",
    "Hassan",
    "Chen",
    "O'Brien",
    "Fraser",
    "Whitecloud",
    "McKenzie",
    "Haddad",
];
const GIVEN_FR: &[&str] = &[
    "Léa",
    "Félix",
    "Chloé",
    "Gabriel",
    "Zoé",
    "Thomas",
    "Émilie",
    "Samuel",
    "Juliette",
    "Olivier",
    "Rosalie",
    "Antoine",
    "Maëlle",
    "Mathis",
    "Camille",
    "Étienne",
    "Noémie",
    "Xavier",
    "Anaïs",
    "Loïc",
    "Aïcha",
    "Jérémie",
    "Océane",
    "Benoît",
    "Héloïse",
];
const FAMILY_FR: &[&str] = &[
    "Tremblay",
    "Gagnon",
    "Roy",
    "Côté",
    "Bouchard",
    "Gauthier",
    "Morin",
    "Lavoie",
    "Fortin",
    "Gagné",
    "Ouellet",
    "Pelletier",
    "Bélanger",
    "Lévesque",
    "Bergeron",
    "Leblanc",
    "Paquette",
    "Girard",
    "Charbonneau",
    "Séguin",
    "Lalonde",
    "Desjardins",
    "Thériault",
    "Bérubé",
    "Diallo",
];
const ADULT_EN: &[&str] =
    &["Sarah", "Michael", "Jennifer", "David", "Karen", "Ahmed", "Linda", "Robert", "Mei", "James"];
const ADULT_FR: &[&str] =
    &["Isabelle", "Marc", "Nathalie", "Sylvain", "Josée", "Pierre", "Mélanie", "Luc", "Karine", "Yves"];

/// An officer's first and last name.
pub fn officer(dice: &mut Dice, french: bool) -> (String, String) {
    if french {
        (dice.pick(ADULT_FR).to_string(), dice.pick(FAMILY_FR).to_string())
    } else {
        (dice.pick(ADULT_EN).to_string(), dice.pick(FAMILY_EN).to_string())
    }
}

/// A youth's given and family name.
pub fn youth(dice: &mut Dice, french: bool) -> (String, String) {
    if french {
        (dice.pick(GIVEN_FR).to_string(), dice.pick(FAMILY_FR).to_string())
    } else {
        (dice.pick(GIVEN_EN).to_string(), dice.pick(FAMILY_EN).to_string())
    }
}

/// A parent's or guardian's given name.
pub fn adult(dice: &mut Dice, french: bool) -> String {
    dice.pick(if french { ADULT_FR } else { ADULT_EN }).to_string()
}

/// A member of a school's staff and their role, as the school writes it.
pub fn staff(dice: &mut Dice, french: bool) -> (String, String) {
    let (given, family) = officer(dice, french);
    let roles: &[&str] = if french {
        &["Directrice", "Directeur adjoint", "Directrice adjointe", "Conseillère en orientation", "Travailleur social"]
    } else {
        &["Principal", "Vice-principal", "Guidance counsellor", "Child and youth worker", "Office administrator"]
    };
    (format!("{given} {family}"), dice.pick(roles).to_string())
}

/// An incident summary for `category`, without names.
pub fn summary(dice: &mut Dice, category: &str, french: bool) -> String {
    let text = match (category, french) {
        ("bullying", false) => "Repeated name-calling and exclusion reported by staff; parents informed.",
        ("bullying", true) => "Insultes répétées et exclusion signalées par le personnel; parents avisés.",
        ("cyber", false) => "Harmful images shared in a group chat; devices reviewed with guardians present.",
        ("cyber", true) => {
            "Images blessantes partagées dans une conversation de groupe; appareils vérifiés avec les parents."
        }
        ("threat", false) => "Threat made to a classmate after a dispute; no weapon involved.",
        ("threat", true) => "Menace proférée envers un camarade après une dispute; aucune arme.",
        ("assault", false) => "Physical altercation near the school entrance; minor injuries, first aid given.",
        ("assault", true) => {
            "Altercation physique près de l'entrée de l'école; blessures mineures, premiers soins donnés."
        }
        ("theft", false) => "Phone taken from a locker; recovered the same day.",
        ("theft", true) => "Téléphone volé dans un casier; récupéré le jour même.",
        ("drugs_alcohol", false) => "Cannabis vape found during a locker check.",
        ("drugs_alcohol", true) => "Vapoteuse de cannabis trouvée lors d'une vérification de casiers.",
        ("weapon", false) => "Folding knife found in a backpack; secured by the principal.",
        ("weapon", true) => "Couteau pliant trouvé dans un sac à dos; remis à la direction.",
        ("mental_health", false) => "Student in crisis; SRO supported staff until the family arrived.",
        ("mental_health", true) => "Élève en détresse; l'agent a soutenu le personnel jusqu'à l'arrivée de la famille.",
        ("mischief", _) | ("trespass", _) | ("sexual_offence", _) | (_, _) => {
            if french {
                "Incident signalé par l'école; suivi par l'agent responsable."
            } else {
                "Incident reported by the school; followed up by the SRO."
            }
        }
    };
    let follow_up = ["", " Follow-up meeting held.", " Guardians contacted."];
    let extra = if french { "" } else { dice.pick(&follow_up) };
    format!("{text}{extra}")
}

/// Why a youth is referred, for `category`.
pub fn reason(category: &str) -> &'static str {
    match category {
        "child_protection" => "Disclosure at school raises concerns for the youth's safety at home.",
        "mental_health" => "Signs of anxiety and self-harm; the youth agreed to see a counsellor.",
        "diversion" => "First contact; a diversion program is offered instead of a charge.",
        "family_support" => "Family conflict affecting attendance; the guardians asked for support.",
        _ => "Would benefit from mentoring and after-school activities.",
    }
}

/// What a school asks for, by kind.
pub fn request(kind: &str, french: bool) -> &'static str {
    match (kind, french) {
        ("parent_contact", false) => "Please contact a family about repeated absences and a safety concern.",
        ("parent_contact", true) => "Veuillez communiquer avec une famille au sujet d'absences répétées.",
        ("presentation", false) => "A talk on online safety for the grade 7 and 8 classes.",
        ("presentation", true) => "Une présentation sur la sécurité en ligne pour les classes de 7e et 8e année.",
        ("incident_report", false) => "Report of an incident on the way home; staff would like advice.",
        ("incident_report", true) => "Signalement d'un incident sur le chemin du retour; le personnel demande conseil.",
        (_, false) => "Advice on the school's lockdown and hold-and-secure drills.",
        (_, true) => "Conseils sur les exercices de confinement barricadé de l'école.",
    }
}
