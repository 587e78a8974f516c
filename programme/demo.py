"""The demo company behind ``manage.py seed_demo``: a believable Russian distributor.

Everything is deterministic (one ``random.Random`` with a fixed seed) and relative to today, and
written with ``bulk_create`` so that the Playwright journeys can build it for every test.
"""

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from clients import lookups
from clients.models import (
    Client,
    ClientPosition,
    ClientVolume,
    KeyContact,
    Position,
    Region,
    Segment,
)
from feedback.models import (
    ContactCheck,
    CorrectiveAction,
    CorrectiveActionStep,
    FollowUp,
    Notification,
    Opportunity,
    Referral,
    Visit,
    VisitReport,
)
from vipcrm import roles

from .models import AssignmentChange, Enrolment, Programme, StaffMember

PASSWORD = "vipdemo"
SEED = 20260101
ACTIVE_PROGRAMME_PREFIX = "VIP-программа"
MONTHS = 24

# username, first name, last name, groups, superuser
DEMO_USERS = [
    ("manager", "Анна", "Смирнова", [roles.PROGRAMME_MANAGERS], False),
    ("employee", "Иван", "Петров", [roles.PROGRAMME_STAFF], False),
    ("employee2", "Ольга", "Сидорова", [roles.PROGRAMME_STAFF], False),
    ("director", "Борис", "Орлов", [roles.MANAGEMENT], False),
    ("admin", "Администратор", "", [], True),
    ("kozlov", "Дмитрий", "Козлов", [roles.PROGRAMME_STAFF], False),
    ("volkova", "Елена", "Волкова", [roles.PROGRAMME_STAFF], False),
    ("morozov", "Сергей", "Морозов", [roles.PROGRAMME_STAFF], False),
    ("lebedeva", "Татьяна", "Лебедева", [roles.PROGRAMME_STAFF], False),
    ("novikov", "Алексей", "Новиков", [roles.PROGRAMME_STAFF], False),
    ("sokolova", "Мария", "Соколова", [roles.PROGRAMME_STAFF], False),
]
DEMO_LOGINS = ["manager", "employee", "employee2", "director", "admin"]
STAFF = ["employee", "employee2", "kozlov", "volkova", "morozov", "lebedeva", "novikov", "sokolova"]

CITIES = [
    ("Москва", "Москва"),
    ("Санкт-Петербург", "Санкт-Петербург"),
    ("Екатеринбург", "Свердловская область"),
    ("Новосибирск", "Новосибирская область"),
    ("Казань", "Республика Татарстан"),
    ("Нижний Новгород", "Нижегородская область"),
    ("Самара", "Самарская область"),
    ("Краснодар", "Краснодарский край"),
    ("Ростов-на-Дону", "Ростовская область"),
    ("Пермь", "Пермский край"),
    ("Челябинск", "Челябинская область"),
    ("Воронеж", "Воронежская область"),
    ("Уфа", "Республика Башкортостан"),
    ("Тюмень", "Тюменская область"),
    ("Красноярск", "Красноярский край"),
]
SEGMENTS = [
    "Металлургия",
    "Строительство",
    "Машиностроение",
    "Логистика",
    "Энергетика",
    "Сельское хозяйство",
    "Пищевая промышленность",
    "Химическая промышленность",
    "Розничная торговля",
    "Нефть и газ",
]
PRIVATE_SEGMENT = "Частные клиенты"
STREETS = ["Ленина", "Мира", "Заводская", "Промышленная", "Гагарина"]
BRAND_ROOTS = [
    ("Урал", "ural"),
    ("Волга", "volga"),
    ("Сибирь", "sibir"),
    ("Север", "sever"),
    ("Балтика", "baltika"),
    ("Алтай", "altai"),
    ("Енисей", "enisei"),
    ("Кама", "kama"),
    ("Дон", "don"),
    ("Нева", "neva"),
    ("Байкал", "baikal"),
    ("Вектор", "vektor"),
    ("Гранит", "granit"),
    ("Меридиан", "meridian"),
    ("Горизонт", "gorizont"),
    ("Прогресс", "progress"),
    ("Импульс", "impuls"),
    ("Ладога", "ladoga"),
    ("Амур", "amur"),
    ("Орион", "orion"),
]
BRAND_SUFFIXES = [
    ("Строй", "stroy"),
    ("Пром", "prom"),
    ("Металл", "metall"),
    ("Торг", "torg"),
    ("Логистик", "logistik"),
    ("Агро", "agro"),
    ("Энерго", "energo"),
    ("Маш", "mash"),
    ("Хим", "khim"),
    ("Трейд", "trade"),
    ("Сервис", "servis"),
    ("Снаб", "snab"),
]
LEGAL_FORMS = [
    ("ООО", "Общество с ограниченной ответственностью", 70),
    ("АО", "Акционерное общество", 22),
    ("ПАО", "Публичное акционерное общество", 8),
]
# (male first name, latin), (female first name, latin)
MALE_FIRST = [
    ("Александр", "aleksandr"),
    ("Дмитрий", "dmitry"),
    ("Максим", "maksim"),
    ("Сергей", "sergey"),
    ("Андрей", "andrey"),
    ("Алексей", "aleksey"),
    ("Игорь", "igor"),
    ("Михаил", "mikhail"),
    ("Николай", "nikolay"),
    ("Владимир", "vladimir"),
    ("Евгений", "evgeny"),
    ("Павел", "pavel"),
    ("Роман", "roman"),
    ("Олег", "oleg"),
]
FEMALE_FIRST = [
    ("Елена", "elena"),
    ("Наталья", "natalya"),
    ("Ольга", "olga"),
    ("Ирина", "irina"),
    ("Татьяна", "tatyana"),
    ("Светлана", "svetlana"),
    ("Марина", "marina"),
    ("Юлия", "yulia"),
    ("Анна", "anna"),
    ("Екатерина", "ekaterina"),
    ("Ксения", "ksenia"),
]
# (male surname, latin); the female form adds "а"
SURNAMES = [
    ("Иванов", "ivanov"),
    ("Смирнов", "smirnov"),
    ("Кузнецов", "kuznetsov"),
    ("Попов", "popov"),
    ("Васильев", "vasilyev"),
    ("Соколов", "sokolov"),
    ("Михайлов", "mikhaylov"),
    ("Новиков", "novikov"),
    ("Фёдоров", "fedorov"),
    ("Морозов", "morozov"),
    ("Волков", "volkov"),
    ("Алексеев", "alekseev"),
    ("Лебедев", "lebedev"),
    ("Семёнов", "semenov"),
    ("Егоров", "egorov"),
    ("Павлов", "pavlov"),
    ("Козлов", "kozlov"),
    ("Степанов", "stepanov"),
    ("Николаев", "nikolaev"),
    ("Орлов", "orlov"),
    ("Андреев", "andreev"),
    ("Макаров", "makarov"),
    ("Никитин", "nikitin"),
    ("Захаров", "zakharov"),
    ("Зайцев", "zaytsev"),
    ("Соловьёв", "solovyev"),
    ("Борисов", "borisov"),
    ("Яковлев", "yakovlev"),
    ("Григорьев", "grigoryev"),
    ("Романов", "romanov"),
]
MALE_PATRONYMICS = [
    "Александрович",
    "Сергеевич",
    "Викторович",
    "Игоревич",
    "Петрович",
    "Андреевич",
    "Николаевич",
    "Владимирович",
    "Олегович",
    "Юрьевич",
]
FEMALE_PATRONYMICS = [
    "Александровна",
    "Сергеевна",
    "Викторовна",
    "Игоревна",
    "Петровна",
    "Андреевна",
    "Николаевна",
    "Владимировна",
    "Олеговна",
    "Юрьевна",
]
JOB_TITLES = {
    "decision_maker": ["Генеральный директор", "Коммерческий директор", "Технический директор"],
    "influencer": ["Главный инженер", "Финансовый директор", "Руководитель проектов"],
    "user": ["Начальник отдела снабжения", "Менеджер по закупкам", "Начальник склада"],
    "gatekeeper": ["Секретарь-референт", "Помощник руководителя", "Офис-менеджер"],
}
PRIVATE_JOB_TITLES = ["Прораб", "Архитектор проекта", "Помощник", "Управляющий делами"]
POSITIONS = [
    ("P-01", "Металлопрокат сортовой", "т"),
    ("P-02", "Трубы стальные", "т"),
    ("P-03", "Арматура", "т"),
    ("P-04", "Листовой прокат", "т"),
    ("P-05", "Крепёж и метизы", "т"),
    ("P-06", "Нержавеющая сталь", "т"),
    ("S-01", "Доставка до объекта", "рейс"),
    ("S-02", "Ответственное хранение", "м²·мес"),
    ("S-03", "Резка металла в размер", "т"),
    ("S-04", "Антикоррозийная обработка", "м²"),
    ("S-05", "Сервисный контракт", "мес"),
    ("S-06", "Обучение персонала заказчика", "час"),
]
CROSS_SELL_TOPICS = [
    "Комплексное снабжение строительного объекта",
    "Поставки по рамочному договору на год",
    "Складская программа под заказ",
]
COMPLAINTS = [
    ("goods", "Партия арматуры пришла с ржавчиной", "Замена партии и проверка склада"),
    ("service", "Менеджер не отвечает на звонки по два дня", "Назначить резервного менеджера"),
    ("services", "Доставка опоздала на три дня", "Пересмотреть график рейсов"),
    ("goods", "Несоответствие сертификатов на трубы", "Запросить сертификаты у завода"),
    ("service", "Ошибки в счетах-фактурах", "Сверка и обучение бухгалтерии"),
    ("services", "Резка выполнена не по размерам", "Переделать за наш счёт"),
    ("other", "Неудобный формат актов сверки", "Согласовать новый шаблон"),
]
FOLLOW_UP_TITLES = [
    "Отправить коммерческое предложение",
    "Прислать сертификаты качества",
    "Согласовать график поставок",
    "Организовать визит на склад",
    "Подготовить проект рамочного договора",
    "Уточнить цены на нержавеющую сталь",
]
MARKET_POSITIONS = [
    "Один из трёх крупнейших игроков в регионе, расширяет производство.",
    "Стабильная доля рынка, конкуренция со стороны федеральных сетей.",
    "Теряет заказы из-за сокращения госзаказа, ищет новые рынки.",
    "Выходит в соседние регионы, открывает новый филиал.",
]
PROSPECTS = [
    "Планирует строительство нового цеха в следующем году.",
    "Рассматривает переход на прямые поставки с завода.",
    "Собирается увеличить закупки к весне.",
    "Бюджет на следующий год сокращён.",
]


@dataclass
class Summary:
    counts: dict = field(default_factory=dict)


def demo_present() -> bool:
    return Programme.objects.filter(
        name__startswith=ACTIVE_PROGRAMME_PREFIX, manager__username="manager"
    ).exists()


def demo_users_present() -> list[str]:
    names = [u[0] for u in DEMO_USERS]
    return list(
        get_user_model().objects.filter(username__in=names).values_list("username", flat=True)
    )


def _aware(day: date, hour: int, minute: int = 0) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, minute)))


def _month_start(day: date, back: int) -> date:
    """The first day of the month ``back`` months before ``day``'s month."""
    index = day.year * 12 + day.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


class DemoBuilder:
    def __init__(self):
        self.rng = random.Random(SEED)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.tax_numbers: set[str] = set()

    # ---- helpers -------------------------------------------------------------------------
    def person(self):
        rng = self.rng
        surname, surname_lat = rng.choice(SURNAMES)
        if rng.random() < 0.5:
            first, first_lat = rng.choice(MALE_FIRST)
            full = f"{surname} {first} {rng.choice(MALE_PATRONYMICS)}"
        else:
            first, first_lat = rng.choice(FEMALE_FIRST)
            surname = surname[:-1] + "ва" if surname.endswith("ёв") else surname + "а"
            surname_lat += "a"
            full = f"{surname} {first} {rng.choice(FEMALE_PATRONYMICS)}"
        return full, first_lat, surname_lat

    def phone(self):
        r = self.rng
        return (
            f"+7 9{r.randint(10, 99)} {r.randint(100, 999)}-{r.randint(10, 99)}-{r.randint(10, 99)}"
        )

    def place(self, client) -> str:
        if client.kind == "private":
            return f"Объект клиента, г. {client.city}"
        return f"Офис клиента, г. {client.city}"

    def tax_number(self, digits: int) -> str:
        while True:
            number = str(self.rng.randint(10 ** (digits - 1), 10**digits - 1))
            if number not in self.tax_numbers:
                self.tax_numbers.add(number)
                return number

    def when(self, days_ago: int, hour: int | None = None) -> datetime:
        return _aware(self.today - timedelta(days=days_ago), hour or self.rng.randint(9, 17))

    # ---- the build -----------------------------------------------------------------------
    @transaction.atomic
    def build(self) -> Summary:
        self.users()
        self.catalogue()
        self.clients()
        self.contacts()
        self.positions_and_volumes()
        self.closed_programme()
        self.active_programme()
        self.active_work()
        self.referrals()
        self.notifications()
        summary = Summary()
        for model in (
            Client,
            KeyContact,
            ClientVolume,
            Enrolment,
            Visit,
            VisitReport,
            CorrectiveAction,
            Opportunity,
            Referral,
            FollowUp,
        ):
            summary.counts[model._meta.verbose_name_plural] = model.objects.count()
        return summary

    def users(self):
        User = get_user_model()
        groups = {g.name: g for g in Group.objects.all()}
        for name in (roles.PROGRAMME_MANAGERS, roles.PROGRAMME_STAFF, roles.MANAGEMENT):
            if name not in groups:
                groups[name] = Group.objects.create(name=name)
        # Hashing is slow by design: hash the shared demo password once and reuse it.
        template = User(username="_")
        template.set_password(PASSWORD)
        users = [
            User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@vip-demo.ru",
                password=template.password,
                is_superuser=superuser,
                is_staff=superuser,
            )
            for username, first, last, _groups, superuser in DEMO_USERS
        ]
        User.objects.bulk_create(users)
        self.users_by_name = {
            u.username: u for u in User.objects.filter(username__in=[u[0] for u in DEMO_USERS])
        }
        Through = User.groups.through
        Through.objects.bulk_create(
            Through(user_id=self.users_by_name[username].pk, group_id=groups[g].pk)
            for username, _f, _l, group_names, _s in DEMO_USERS
            for g in group_names
        )
        self.manager = self.users_by_name["manager"]
        self.staff = [self.users_by_name[name] for name in STAFF]

    def catalogue(self):
        Segment.objects.bulk_create(
            [Segment(name=n) for n in SEGMENTS + [PRIVATE_SEGMENT]], ignore_conflicts=True
        )
        Region.objects.bulk_create(
            [Region(name=r) for r in sorted({r for _c, r in CITIES})], ignore_conflicts=True
        )
        Position.objects.bulk_create(
            [Position(code=c, name=n, unit=u) for c, n, u in POSITIONS], ignore_conflicts=True
        )
        lookups.forget()  # written without signals (bulk_create): the cached lists are stale
        self.segments = {s.name: s for s in Segment.objects.all()}
        self.regions = {r.name: r for r in Region.objects.all()}
        self.positions = list(Position.objects.filter(code__in=[p[0] for p in POSITIONS]))

    def clients(self):
        rng = self.rng
        brands = [
            (a + b.lower(), a_lat + b_lat)
            for a, a_lat in BRAND_ROOTS
            for b, b_lat in BRAND_SUFFIXES
        ]
        rng.shuffle(brands)
        forms = [f for f in LEGAL_FORMS for _ in range(f[2])]
        clients = []
        self.domains = {}
        self.private_latin = {}
        for i in range(200):
            city, region = rng.choice(CITIES)
            tier = rng.choices("ABC", weights=[15, 35, 50])[0]
            salesperson = rng.choice(self.staff)
            if i < 170:
                brand, brand_lat = brands[i]
                short, long, _w = rng.choice(forms)
                client = Client(
                    kind="corporate",
                    name=f"{short} «{brand}»",
                    legal_name=f"{long} «{brand}»",
                    tax_number=self.tax_number(10),
                    registration_number=str(rng.randint(10**12, 10**13 - 1)),
                    legal_address=f"г. {city}, ул. {rng.choice(STREETS)}, д. {rng.randint(1, 120)}",
                    segment=self.segments[rng.choice(SEGMENTS)],
                )
                self.domains[client.name] = f"{brand_lat}.ru"
            else:
                full, f_lat, s_lat = self.person()
                self.private_latin[full] = (f_lat, s_lat)
                client = Client(
                    kind="private",
                    name=full,
                    tax_number=self.tax_number(12) if rng.random() < 0.5 else None,
                    segment=self.segments[PRIVATE_SEGMENT],
                    notes="Частный клиент, строит загородный дом.",
                )
                tier = rng.choice("BC")
            client.city = city
            client.region = self.regions[region]
            client.tier = tier
            client.original_salesperson = salesperson
            clients.append(client)
        # Some clients were lost during the two years, some are declining.
        self.lost = set(rng.sample(range(200), 14))
        self.declining = set(rng.sample(sorted(set(range(200)) - self.lost), 25))
        self.lost_month = {}
        for i in self.lost:
            back = rng.randint(2, 18)
            self.lost_month[i] = back
            clients[i].status = "lost"
            clients[i].lost_on = _month_start(self.today, back - 1) - timedelta(
                days=rng.randint(1, 20)
            )
        self.clients_list = Client.objects.bulk_create(clients)

    def contacts(self):
        rng = self.rng
        contacts = []
        year_ago = self.today - timedelta(days=365)
        few_single = set(rng.sample(range(170), 5))
        for i, client in enumerate(self.clients_list):
            n = rng.choices([2, 3, 4, 5], weights=[25, 35, 25, 15])[0]
            roles_cycle = ["decision_maker", "influencer", "user", "gatekeeper", "user"]
            domain = self.domains.get(client.name, "mail.ru")
            for j in range(n):
                role = roles_cycle[j]
                if client.kind == "private" and j == 0:
                    full = client.name
                    f_lat, s_lat = self.private_latin[full]
                    job = "Владелец"
                else:
                    full, f_lat, s_lat = self.person()
                    titles = PRIVATE_JOB_TITLES if client.kind == "private" else JOB_TITLES[role]
                    job = rng.choice(titles)
                verified = rng.random()
                if verified < 0.5:
                    verified_on = year_ago + timedelta(days=rng.randint(10, 360))
                elif verified < 0.75:
                    verified_on = year_ago - timedelta(days=rng.randint(30, 700))
                else:
                    verified_on = None
                # A few clients have only one contact left; a few others lost one.
                left = (i in few_single and j > 0) or (j > 0 and rng.random() < 0.05)
                contacts.append(
                    KeyContact(
                        client=client,
                        full_name=full,
                        role=role,
                        job_title=job,
                        phone=self.phone(),
                        email=f"{f_lat}.{s_lat}@{domain}" if rng.random() < 0.9 else "",
                        birthday=date(
                            rng.randint(1960, 1995), rng.randint(1, 12), rng.randint(1, 28)
                        )
                        if rng.random() < 0.4
                        else None,
                        verified_on=verified_on,
                        left_company=left,
                        left_on=self.today - timedelta(days=rng.randint(20, 400)) if left else None,
                        added_by=client.original_salesperson,
                    )
                )
        self.contacts_list = KeyContact.objects.bulk_create(contacts)
        self.contacts_of = {}
        for c in self.contacts_list:
            self.contacts_of.setdefault(c.client_id, []).append(c)

    def positions_and_volumes(self):
        rng = self.rng
        cps, volumes = [], []
        self.positions_of = {}
        for i, client in enumerate(self.clients_list):
            k = rng.randint(1, 2) if client.kind == "private" else rng.randint(1, 4)
            bought = rng.sample(self.positions, k)
            annual_total = 0
            for position in bought:
                scale = {"A": 30_000_000, "B": 10_000_000, "C": 3_000_000}[client.tier]
                annual = rng.randint(scale // 10, scale) // (5 if client.kind == "private" else 1)
                annual_total += annual
                cps.append(
                    ClientPosition(
                        client=client,
                        position=position,
                        annual_volume=Decimal(annual),
                        since=self.today - timedelta(days=rng.randint(300, 2500)),
                    )
                )
            monthly = annual_total / 12
            trend = -0.035 if i in self.declining else rng.uniform(-0.005, 0.015)
            stop_back = self.lost_month.get(i)  # months back from which nothing is bought
            for back in range(MONTHS - 1, -1, -1):
                if stop_back is not None and back < stop_back:
                    break
                period = _month_start(self.today, back)
                factor = (1 + trend) ** (MONTHS - 1 - back)
                if stop_back is not None and back - stop_back < 4:
                    factor *= 0.5  # buying less before leaving
                amount = max(0, monthly * factor * rng.uniform(0.8, 1.2))
                volumes.append(
                    ClientVolume(
                        client=client,
                        period=period,
                        amount=Decimal(round(amount, 2)).quantize(Decimal("0.01")),
                    )
                )
        self.client_positions = ClientPosition.objects.bulk_create(cps)
        for cp in self.client_positions:
            self.positions_of.setdefault(cp.client_id, []).append(cp)
        ClientVolume.objects.bulk_create(volumes, batch_size=2000)

    # ---- programmes ----------------------------------------------------------------------
    def closed_programme(self):
        rng = self.rng
        start = self.today - timedelta(days=420)
        programme = Programme.objects.create(
            name=f"{ACTIVE_PROGRAMME_PREFIX} {start.year}",
            manager=self.manager,
            starts_on=start,
            deadline=start + timedelta(days=150),
            status="closed",
            activated_at=_aware(start, 9),
            closed_at=_aware(start + timedelta(days=152), 18),
        )
        self.closed = programme
        pool = self.staff[2:]
        StaffMember.objects.bulk_create(
            StaffMember(programme=programme, employee=u, kind="dedicated") for u in pool
        )
        # Clients lost before last year's programme ended were not on its list.
        candidates = [
            c
            for c in self.clients_list
            if c.kind == "corporate" and (c.lost_on is None or c.lost_on > programme.deadline)
        ]
        chosen = rng.sample(candidates, 60)
        enrolments = []
        for client in chosen:
            assignee = rng.choice([u for u in pool if u.pk != client.original_salesperson_id])
            stage = rng.choices(
                ["visited", "follow_ups_done", "declined", "unreachable"], weights=[30, 55, 8, 7]
            )[0]
            enrolments.append(
                Enrolment(
                    programme=programme,
                    client=client,
                    assessment=rng.choice(["excellent", "uncertain", "monopolised"]),
                    original_salesperson_id=client.original_salesperson_id,
                    assignee=assignee,
                    assigned_at=_aware(start + timedelta(days=3), 10),
                    stage=stage,
                    stage_changed_at=_aware(start + timedelta(days=rng.randint(20, 140)), 12),
                )
            )
        enrolments = Enrolment.objects.bulk_create(enrolments)
        AssignmentChange.objects.bulk_create(
            AssignmentChange(
                enrolment=e,
                to_user=e.assignee,
                changed_by=self.manager,
                changed_at=e.assigned_at,
                reason="Автоматическое распределение",
                source="auto_split",
            )
            for e in enrolments
        )
        visits = []
        for e in enrolments:
            if e.stage in ("visited", "follow_ups_done"):
                visits.append((e, e.stage_changed_at - timedelta(days=rng.randint(0, 10))))
        reports = self._held_visits(programme, visits)
        self.corrective_actions(reports, programme, history=True)
        self.opportunities(reports[:16], programme, history=True)
        FollowUp.objects.bulk_create(
            FollowUp(
                client_id=r.visit.client_id,
                programme=programme,
                report=r,
                title=rng.choice(FOLLOW_UP_TITLES),
                owner=r.author,
                due_on=r.finished_at.date() + timedelta(days=10),
                done_at=r.finished_at + timedelta(days=rng.randint(2, 12)),
                done_by=r.author,
                created_by=r.author,
                created_at=r.finished_at,
            )
            for r in reports
        )

    def _held_visits(self, programme, pairs, draft_for=()):
        """Held visits with reports (finished unless the enrolment is in ``draft_for``)."""
        rng = self.rng
        visits = [
            Visit(
                client=e.client,
                enrolment=e,
                employee=e.assignee,
                scheduled_at=at,
                place=self.place(e.client),
                status="held",
                created_by=e.assignee,
            )
            for e, at in pairs
        ]
        visits = Visit.objects.bulk_create(visits)
        reports = []
        for visit in visits:
            draft = visit.enrolment_id in draft_for
            low = rng.random() < 0.2
            reports.append(
                VisitReport(
                    visit=visit,
                    author=visit.employee,
                    status="draft" if draft else "finished",
                    relationship_after=rng.choice(["strong", "good", "good", "neutral", "at_risk"]),
                    relationship_notes="Встреча прошла конструктивно.",
                    market_position=rng.choice(MARKET_POSITIONS),
                    prospects=rng.choice(PROSPECTS),
                    outlook=rng.choices(["growing", "stable", "declining"], weights=[4, 5, 2])[0],
                    score_goods=rng.randint(1, 3) if low else rng.randint(3, 5),
                    score_services=rng.randint(2, 5),
                    score_service=rng.randint(1, 3) if low else rng.randint(3, 5),
                    recommendation_score=rng.randint(2, 6) if low else rng.randint(6, 10),
                    quality_comments="Есть замечания по срокам поставки." if low else "",
                    finished_at=None if draft else visit.scheduled_at + timedelta(hours=3),
                )
            )
        reports = VisitReport.objects.bulk_create(reports)
        visit_contacts, met, checks = [], [], []
        for visit, report in zip(visits, reports, strict=True):
            present = [c for c in self.contacts_of[visit.client_id] if not c.left_company]
            met_here = present[: rng.randint(1, min(3, len(present)))]
            for c in met_here:
                visit_contacts.append(Visit.contacts.through(visit_id=visit.pk, keycontact_id=c.pk))
                met.append(
                    VisitReport.met_contacts.through(visitreport_id=report.pk, keycontact_id=c.pk)
                )
                checks.append(
                    ContactCheck(
                        report=report,
                        contact=c,
                        outcome=rng.choices(["confirmed", "updated"], weights=[4, 1])[0],
                        note="Телефон и должность подтверждены.",
                    )
                )
            for c in self.contacts_of[visit.client_id]:
                if c.left_company and rng.random() < 0.5:
                    checks.append(
                        ContactCheck(
                            report=report,
                            contact=c,
                            outcome="left",
                            note="Уволился, новый контакт уточняется.",
                        )
                    )
        Visit.contacts.through.objects.bulk_create(visit_contacts)
        VisitReport.met_contacts.through.objects.bulk_create(met)
        ContactCheck.objects.bulk_create(checks)
        return reports

    def active_programme(self):
        rng = self.rng
        start = self.today - timedelta(weeks=5)
        programme = Programme.objects.create(
            name=f"{ACTIVE_PROGRAMME_PREFIX} {self.today.year}",
            manager=self.manager,
            starts_on=start,
            deadline=self.today + timedelta(days=120),
            status="active",
            previous=self.closed,
            activated_at=_aware(start, 9),
        )
        self.active = programme
        kinds = [
            "dedicated",
            "dedicated",
            "dedicated",
            "shared",
            "dedicated",
            "shared",
            "shared",
            "dedicated",
        ]
        StaffMember.objects.bulk_create(
            StaffMember(programme=programme, employee=u, kind=k)
            for u, k in zip(self.staff, kinds, strict=True)
        )
        active_clients = [c for c in self.clients_list if c.status == "active"]
        corporate = [c for c in active_clients if c.kind == "corporate"]
        private = [c for c in active_clients if c.kind == "private"]
        enrolled = corporate + rng.sample(private, 12)
        rng.shuffle(enrolled)
        # Personal lists: employee 25, employee2 24, the rest over the others, a few unassigned.
        sizes = {"employee": 25, "employee2": 24}
        others = self.staff[2:]
        unassigned = 6
        rest = len(enrolled) - sum(sizes.values()) - unassigned
        weights = [1.0 if k == "dedicated" else 0.5 for k in kinds[2:]]
        share = [int(rest * w / sum(weights)) for w in weights]
        share[0] += rest - sum(share)
        plan = [self.users_by_name["employee"]] * 25 + [self.users_by_name["employee2"]] * 24
        for u, n in zip(others, share, strict=True):
            plan += [u] * n
        plan += [None] * unassigned
        stage_plan = {
            "employee": ["not_contacted"] * 7
            + ["meeting_booked"] * 6
            + ["visited"] * 5
            + ["follow_ups_done"] * 4
            + ["declined"] * 2
            + ["unreachable"],
            "employee2": ["not_contacted"] * 6
            + ["meeting_booked"] * 6
            + ["visited"] * 5
            + ["follow_ups_done"] * 4
            + ["declined"] * 2
            + ["unreachable"],
        }
        enrolments = []
        counters = {}
        for client, assignee in zip(enrolled, plan, strict=True):
            sp = client.original_salesperson_id
            if assignee is None:
                assessment = rng.choice(["", "uncertain", "excellent"])
                stage = "not_contacted"
            else:
                if assignee.pk == sp:
                    assessment = rng.choices(["excellent", "uncertain"], weights=[4, 1])[0]
                else:
                    assessment = rng.choices(
                        ["excellent", "uncertain", "monopolised"], weights=[2, 5, 2]
                    )[0]
                seq = stage_plan.get(assignee.username)
                if seq:
                    k = counters.get(assignee.username, 0)
                    counters[assignee.username] = k + 1
                    stage = seq[k]
                else:
                    stage = rng.choices(
                        [
                            "not_contacted",
                            "meeting_booked",
                            "visited",
                            "follow_ups_done",
                            "declined",
                            "unreachable",
                        ],
                        weights=[30, 20, 20, 18, 6, 6],
                    )[0]
            assigned_at = (
                _aware(start + timedelta(days=rng.randint(1, 5)), 10) if assignee else None
            )
            enrolments.append(
                Enrolment(
                    programme=programme,
                    client=client,
                    assessment=assessment,
                    assessment_note="Продавец не пускает коллег к клиенту."
                    if assessment == "monopolised"
                    else "",
                    original_salesperson_id=sp,
                    assignee=assignee,
                    assigned_at=assigned_at,
                    stage=stage,
                    stage_changed_at=assigned_at + timedelta(days=rng.randint(1, 25))
                    if assignee and stage != "not_contacted"
                    else (assigned_at or _aware(start, 9)),
                )
            )
        self.enrolments = Enrolment.objects.bulk_create(enrolments)
        changes = []
        for e in self.enrolments:
            if e.assignee is None:
                continue
            if rng.random() < 0.12:
                # Reassigned once: first given to a colleague, then moved.
                first = rng.choice([u for u in self.staff if u.pk != e.assignee_id])
                if e.assessment == "monopolised" and first.pk == e.original_salesperson_id:
                    first = next(u for u in self.staff if u.pk not in (e.assignee_id, first.pk))
                changes.append(
                    AssignmentChange(
                        enrolment=e,
                        to_user=first,
                        changed_by=self.manager,
                        changed_at=e.assigned_at - timedelta(days=1),
                        reason="Автоматическое распределение",
                        source="auto_split",
                    )
                )
                changes.append(
                    AssignmentChange(
                        enrolment=e,
                        from_user=first,
                        to_user=e.assignee,
                        changed_by=self.manager,
                        changed_at=e.assigned_at,
                        reason="Клиент в регионе другого сотрудника",
                        source="form",
                    )
                )
            else:
                changes.append(
                    AssignmentChange(
                        enrolment=e,
                        to_user=e.assignee,
                        changed_by=self.manager,
                        changed_at=e.assigned_at,
                        reason="Автоматическое распределение",
                        source="auto_split",
                    )
                )
        AssignmentChange.objects.bulk_create(changes)

    def active_work(self):
        rng = self.rng
        today = self.today
        by_stage = {}
        for e in self.enrolments:
            by_stage.setdefault(e.stage, []).append(e)
        # Planned meetings; the employee has one today and one tomorrow, employee2 too.
        planned = []
        firsts = {}
        for e in by_stage.get("meeting_booked", []):
            name = e.assignee.username
            k = firsts.get(name, 0)
            firsts[name] = k + 1
            if name in ("employee", "employee2") and k < 2:
                at = _aware(today + timedelta(days=k), 15 if k == 0 else 11)
            else:
                at = _aware(today + timedelta(days=rng.randint(2, 30)), rng.randint(9, 17))
            planned.append(
                Visit(
                    client=e.client,
                    enrolment=e,
                    employee=e.assignee,
                    scheduled_at=at,
                    place=self.place(e.client),
                    status="planned",
                    created_by=e.assignee,
                )
            )
        planned = Visit.objects.bulk_create(planned)
        self.planned_visits = planned
        Visit.contacts.through.objects.bulk_create(
            Visit.contacts.through(visit_id=v.pk, keycontact_id=self.contacts_of[v.client_id][0].pk)
            for v in planned
        )
        # A cancelled meeting for every declined client.
        Visit.objects.bulk_create(
            Visit(
                client=e.client,
                enrolment=e,
                employee=e.assignee,
                scheduled_at=e.stage_changed_at - timedelta(days=2),
                status="cancelled",
                cancel_reason="Клиент отказался от встречи: сейчас не до этого.",
                created_by=e.assignee,
            )
            for e in by_stage.get("declined", [])
        )
        # Held visits with reports; one of the employee's is still a draft.
        held = by_stage.get("visited", []) + by_stage.get("follow_ups_done", [])
        draft_for = {next(e.pk for e in by_stage["visited"] if e.assignee.username == "employee")}
        pairs = [(e, e.stage_changed_at - timedelta(hours=rng.randint(2, 48))) for e in held]
        reports = self._held_visits(self.active, pairs, draft_for=draft_for)
        finished = [r for r in reports if r.status == "finished"]
        enrolment_of = {e.pk: e for e in self.enrolments}
        self.corrective_actions(finished, self.active)
        self.opportunities(finished, self.active)
        self.follow_ups(finished, enrolment_of)

    def corrective_actions(self, reports, programme, history=False):
        rng = self.rng
        statuses = ["open", "open", "in_progress", "in_progress", "resolved", "client_informed"]
        if history:
            statuses = ["client_informed", "client_informed", "resolved"]
        low = [r for r in reports if r.score_goods <= 3 or r.score_service <= 3][:24]
        actions, steps = [], []
        for i, report in enumerate(low):
            status = statuses[i % len(statuses)]
            area, complaint, action = COMPLAINTS[i % len(COMPLAINTS)]
            opened = report.finished_at
            overdue = i % 3 == 0 and status in ("open", "in_progress")
            due = (
                self.today - timedelta(days=rng.randint(2, 10))
                if overdue
                else (self.today + timedelta(days=rng.randint(3, 30)))
            )
            if history:
                due = opened.date() + timedelta(days=14)
            path = ["open", "in_progress", "resolved", "client_informed"]
            taken = path[: path.index(status) + 1]
            times = [opened + timedelta(days=2 * n) for n in range(len(taken))]
            times = [
                min(t, self.now - timedelta(hours=len(taken) - n)) for n, t in enumerate(times)
            ]
            ca = CorrectiveAction(
                client_id=report.visit.client_id,
                programme=programme,
                report=report,
                area=area,
                complaint=complaint,
                action=action,
                owner=report.author,
                due_on=due,
                status=status,
                opened_by=report.author,
                opened_at=times[0],
                resolved_at=times[2] if len(times) > 2 else None,
                client_informed_at=times[3] if len(times) > 3 else None,
            )
            actions.append((ca, taken, times))
        created = CorrectiveAction.objects.bulk_create([a for a, _t, _ts in actions])
        for ca, (_a, taken, times) in zip(created, actions, strict=True):
            for status, at in zip(taken, times, strict=True):
                steps.append(
                    CorrectiveActionStep(
                        action=ca,
                        status=status,
                        by=ca.owner,
                        at=at,
                        note="" if status == "open" else "Шаг выполнен.",
                    )
                )
        CorrectiveActionStep.objects.bulk_create(steps)

    def opportunities(self, reports, programme, history=False):
        rng = self.rng
        opps = []
        for i, report in enumerate(reports[:40]):
            client_id = report.visit.client_id
            status = ["open", "won", "open", "lost"][(i // 2) % 4]
            if history:
                status = ["won", "lost"][(i // 2) % 2]
            expected = Decimal(rng.randint(2, 60) * 50_000)
            if i % 2 == 0:
                cp = rng.choice(self.positions_of[client_id])
                kw = {
                    "kind": "upsell",
                    "client_position": cp,
                    "description": "Клиент готов увеличить объём закупок.",
                }
            else:
                bought = {cp.position_id for cp in self.positions_of[client_id]}
                new = [p for p in self.positions if p.pk not in bought]
                if i % 3 == 0 or not new:
                    kw = {"kind": "cross_sell", "topic": rng.choice(CROSS_SELL_TOPICS)}
                else:
                    kw = {"kind": "cross_sell", "position": rng.choice(new)}
            opps.append(
                Opportunity(
                    client_id=client_id,
                    programme=programme,
                    report=report,
                    expected_value=expected,
                    status=status,
                    won_value=expected * Decimal("0.8") if status == "won" else None,
                    lost_reason="Выбрали поставщика с более низкой ценой."
                    if status == "lost"
                    else "",
                    owner=report.author,
                    created_at=report.finished_at,
                    closed_at=(
                        report.finished_at + timedelta(days=rng.randint(20, 60))
                        if history
                        else self.now - timedelta(days=rng.randint(1, 5))
                    )
                    if status != "open"
                    else None,
                    **kw,
                )
            )
        Opportunity.objects.bulk_create(opps)

    def follow_ups(self, reports, enrolment_of):
        rng = self.rng
        rows = []
        for report in reports:
            enrolment = enrolment_of[report.visit.enrolment_id]
            done_all = enrolment.stage == "follow_ups_done"
            for k in range(rng.randint(1, 3)):
                if done_all:
                    due = self.today - timedelta(days=rng.randint(1, 20))
                    done_at = self.now - timedelta(days=rng.randint(0, 3), hours=1)
                else:
                    due = self.today + timedelta(days=[0, -3, 5, 12][(report.pk + k) % 4])
                    done_at = None
                rows.append(
                    FollowUp(
                        client_id=report.visit.client_id,
                        programme=self.active,
                        report=report,
                        title=rng.choice(FOLLOW_UP_TITLES),
                        owner=report.author,
                        due_on=due,
                        done_at=done_at,
                        done_by=report.author if done_at else None,
                        created_by=report.author,
                        created_at=report.finished_at,
                    )
                )
        # The employee's own list shows every kind: due today, overdue, upcoming and done.
        employee = self.users_by_name["employee"]
        mine = [r for r in reports if r.author_id == employee.pk]
        if mine:
            report = mine[0]
            for offset, done in ((0, False), (-4, False), (7, False), (-2, True)):
                rows.append(
                    FollowUp(
                        client_id=report.visit.client_id,
                        programme=self.active,
                        report=report,
                        title=rng.choice(FOLLOW_UP_TITLES),
                        owner=employee,
                        due_on=self.today + timedelta(days=offset),
                        done_at=self.now - timedelta(hours=5) if done else None,
                        done_by=employee if done else None,
                        created_by=employee,
                        created_at=report.finished_at,
                    )
                )
        FollowUp.objects.bulk_create(rows)

    def referrals(self):
        rng = self.rng
        reports = list(
            VisitReport.objects.filter(visit__enrolment__programme=self.active, status="finished")
            .select_related("visit")
            .order_by("pk")[:10]
        )
        statuses = [
            "new",
            "new",
            "contacted",
            "contacted",
            "meeting",
            "meeting",
            "converted",
            "dropped",
            "new",
            "contacted",
        ]
        rows = []
        for report, status in zip(reports, statuses, strict=False):
            full, f_lat, s_lat = self.person()
            brand = rng.choice(BRAND_ROOTS)[0] + rng.choice(["Инвест", "Девелопмент", "Проект"])
            company = f"ООО «{brand}»"
            became = None
            if status == "converted":
                city, region = rng.choice(CITIES)
                became = Client.objects.create(
                    kind="corporate",
                    name=company,
                    legal_name=f"{LEGAL_FORMS[0][1]} «{brand}»",
                    tax_number=self.tax_number(10),
                    segment=self.segments["Строительство"],
                    region=self.regions[region],
                    city=city,
                    tier="C",
                    original_salesperson=report.author,
                    notes="Пришёл по рекомендации клиента.",
                )
                KeyContact.objects.bulk_create(
                    [
                        KeyContact(
                            client=became,
                            full_name=full,
                            role="decision_maker",
                            job_title="Генеральный директор",
                            phone=self.phone(),
                            email=f"{f_lat}.{s_lat}@mail.ru",
                            verified_on=self.today,
                            added_by=report.author,
                        ),
                        KeyContact(
                            client=became,
                            full_name=self.person()[0],
                            role="user",
                            job_title="Менеджер по закупкам",
                            phone=self.phone(),
                            added_by=report.author,
                        ),
                    ]
                )
                ClientVolume.objects.create(
                    client=became, period=_month_start(self.today, 0), amount=Decimal("450000.00")
                )
            referring = [c for c in self.contacts_of[report.visit.client_id] if not c.left_company]
            rows.append(
                Referral(
                    referring_client_id=report.visit.client_id,
                    referring_contact=referring[0] if referring else None,
                    programme=self.active,
                    report=report,
                    person_name=full,
                    company_name=company,
                    phone=self.phone(),
                    email=f"{f_lat}.{s_lat}@mail.ru",
                    status=status,
                    owner=report.author,
                    became_client=became,
                    drop_reason="Компания ушла к конкуренту." if status == "dropped" else "",
                    created_at=report.finished_at,
                    contacted_at=report.finished_at + timedelta(days=2)
                    if status != "new"
                    else None,
                    closed_at=self.now - timedelta(days=1)
                    if status in ("converted", "dropped")
                    else None,
                )
            )
        Referral.objects.bulk_create(rows)

    def notifications(self):
        visit_type = ContentType.objects.get_for_model(Visit)
        rows = []
        for visit in self.planned_visits:
            name = visit.employee.username
            day = timezone.localtime(visit.scheduled_at).date()
            if name not in ("employee", "employee2") or day > self.today + timedelta(days=1):
                continue
            kind = "meeting_today" if day == self.today else "meeting_tomorrow"
            label = "сегодня" if kind == "meeting_today" else "завтра"
            rows.append(
                Notification(
                    recipient=visit.employee,
                    kind=kind,
                    key=f"{kind}:visit:{visit.pk}:{day.isoformat()}",
                    message=f"Встреча с {visit.client.name} {label} в "
                    f"{timezone.localtime(visit.scheduled_at):%H:%M}.",
                    content_type=visit_type,
                    object_id=visit.pk,
                )
            )
        employee = self.users_by_name["employee"]
        rows.append(
            Notification(
                recipient=employee,
                kind="follow_up_overdue",
                key=f"follow_up_overdue:employee:{self.today.isoformat()}",
                message="Есть просроченные договорённости после визитов.",
                read_at=self.now - timedelta(hours=2),
            )
        )
        rows.append(
            Notification(
                recipient=employee,
                kind="assigned",
                key=f"assigned:programme:{self.active.pk}",
                message=f"Вам назначены клиенты программы «{self.active.name}».",
            )
        )
        rows.append(
            Notification(
                recipient=self.manager,
                kind="corrective_action_overdue",
                key=f"corrective_action_overdue:programme:{self.active.pk}:{self.today.isoformat()}",
                message="Просрочены корректирующие мероприятия по жалобам клиентов.",
            )
        )
        rows.append(
            Notification(
                recipient=self.manager,
                kind="no_meeting_booked",
                key=f"no_meeting_booked:programme:{self.active.pk}:{self.today.isoformat()}",
                message="У части клиентов ещё не назначена встреча.",
            )
        )
        Notification.objects.bulk_create(rows)


def build_demo() -> Summary:
    return DemoBuilder().build()
