namespace NewsMonitor.Classification.Topics;

/// <summary>The built-in taxonomy (lower-case slugs) with Arabic and English cue words.</summary>
public static class BuiltInTopics
{
    /// <summary>Every built-in topic.</summary>
    public static IReadOnlyList<TopicDefinition> All { get; } =
    [
        new("politics", "Government, elections, parties, parliaments, leaders' decisions",
        [
            "الحكومة", "رئيس الوزراء", "الرئيس", "البرلمان", "مجلس النواب", "الانتخابات", "انتخابات", "حزب", "الحزب", "المعارضة",
            "وزير", "الوزير", "وزارة", "سياسي", "السياسية", "السياسي", "الدستور", "التصويت", "الرئاسة", "قادة", "زعيم", "الكونغرس",
            "government", "president", "parliament", "election", "minister", "party", "opposition",
        ]),
        new("international", "Relations between states, diplomacy, international organisations and summits",
        [
            "الدولي", "الدولية", "دولي", "قمة", "القمة", "الأمم المتحدة", "مجلس الأمن", "الدبلوماسية", "دبلوماسي", "وزير الخارجية",
            "وزارة الخارجية", "العلاقات", "الاتحاد الأوروبي", "معاهدة", "الحلفاء", "التحالف", "حلف", "سفير", "السفارة", "المفاوضات",
            "اتفاقية", "الشركاء", "الأعضاء", "بيان مشترك",
            "summit", "diplomacy", "united nations", "treaty", "foreign minister", "allies",
        ]),
        new("defense", "Military, security, alliances, armament and defence budgets",
        [
            "الناتو", "حلف شمال الأطلسي", "عسكري", "العسكري", "العسكرية", "الدفاع", "الدفاعية", "الدفاعي", "الجيش", "القوات",
            "الأسلحة", "أسلحة", "السلاح", "الأمن", "الأمني", "الأمنية", "الردع", "الإنفاق الدفاعي", "الصواريخ", "قاعدة عسكرية",
            "التسلح", "الجنود", "الذخيرة", "nato", "military", "defense", "defence", "army", "weapons", "security",
        ]),
        new("conflict", "War, armed attacks, terrorism and crime",
        [
            "الحرب", "حرب", "الغزو", "هجوم", "الهجوم", "الهجمات", "قصف", "القصف", "الاحتلال", "إرهابيين", "الإرهاب", "إرهابي",
            "قتلى", "القتلى", "جرحى", "معركة", "المعارك", "اشتباكات", "ميليشيا", "العدوان", "العدوانية", "مسلح", "جريمة", "اعتقال",
            "war", "invasion", "attack", "terrorism", "killed", "militia",
        ]),
        new("economy", "Economy, markets, trade, budgets, companies and energy",
        [
            "الاقتصاد", "الاقتصادية", "اقتصادي", "الاقتصادي", "مليار", "مليون دولار", "الميزانية", "ميزانية", "التجارة", "الأسواق",
            "البورصة", "النفط", "الاستثمار", "التضخم", "البنك المركزي", "الصناعات", "الشركات", "الناتج المحلي", "الضرائب", "تمويل",
            "الإنفاق", "الأسعار", "economy", "market", "trade", "budget", "inflation", "billion",
        ]),
        new("technology", "Technology, internet, science and space",
        [
            "التكنولوجيا", "تكنولوجيا", "التقنية", "الإنترنت", "الذكاء الاصطناعي", "الهواتف", "الحاسوب", "البرمجيات", "الفضاء",
            "الأقمار الصناعية", "السيبراني", "السيبرانية", "رقمي", "الرقمية", "technology", "internet", "software", "cyber", "satellite",
        ]),
        new("health", "Health, medicine, diseases and hospitals",
        [
            "الصحة", "الصحية", "صحة", "المستشفى", "مستشفى", "المرض", "مرض", "الوباء", "فيروس", "كورونا", "اللقاح", "الأطباء",
            "طبي", "الطبية", "العلاج", "health", "hospital", "virus", "vaccine", "disease",
        ]),
        new("sports", "Sport, clubs, competitions and athletes",
        [
            "كرة القدم", "المباراة", "مباراة", "الدوري", "المنتخب", "البطولة", "بطولة", "اللاعب", "لاعب", "الفريق", "هدف", "الأولمبية",
            "كأس العالم", "النادي", "المدرب", "football", "match", "league", "championship", "olympic",
        ]),
        new("culture", "Arts, literature, film, music and heritage",
        [
            "الثقافة", "الثقافية", "ثقافي", "الفن", "الفنان", "الفنية", "السينما", "فيلم", "الموسيقى", "الأدب", "الرواية", "مهرجان",
            "المسرح", "التراث", "المتحف", "الشعر", "culture", "film", "music", "festival", "museum",
        ]),
        new("religion", "Religion, religious institutions and observances",
        [
            "الدين", "الديني", "الدينية", "المسجد", "الكنيسة", "الإسلام", "الإسلامية", "المسيحية", "رمضان", "الحج", "الأزهر", "الفتوى",
            "البابا", "religion", "church", "mosque", "islam",
        ]),
        new("environment", "Environment, climate, energy transition and disasters",
        [
            "البيئة", "البيئية", "المناخ", "المناخي", "التغير المناخي", "الانبعاثات", "التلوث", "الطاقة المتجددة", "الجفاف", "الفيضانات",
            "الزلزال", "environment", "climate", "emissions", "pollution",
        ]),
        new("education", "Schools, universities, students and research",
        [
            "التعليم", "التعليمية", "المدارس", "مدرسة", "الجامعة", "جامعة", "الطلاب", "الطلبة", "المعلمين", "الامتحانات", "البحث العلمي",
            "education", "school", "university", "students",
        ]),
        new("human-rights", "Human rights, freedoms, refugees and humanitarian law",
        [
            "حقوق الإنسان", "الحريات", "اللاجئين", "اللاجئون", "النازحين", "الإنسانية", "المدنيين", "التعذيب", "المعتقلين", "منظمة العفو",
            "انتهاكات", "human rights", "refugees", "civilians", "humanitarian",
        ]),
        new("travel", "Travel, tourism, transport for travellers and hospitality",
        [
            "السياحة", "السياح", "سياحية", "السفر", "المسافرين", "الفنادق", "فندق", "الرحلات", "رحلة", "تأشيرة", "المطار",
            "travel", "tourism", "tourists", "hotel",
        ]),
        new("geography", "Places, landscapes, climate zones and the physical world",
        [
            "الجغرافيا", "جغرافية", "الجبال", "الأنهار", "القارة", "الصحراء", "المحيط", "الجزر", "خط الاستواء", "البراكين",
            "geography", "mountains", "rivers", "continent",
        ]),
        new("other", "What fits no other label (lifestyle, curiosities, human interest)", []),
    ];
}
