"""The report's fixed words (headings, captions) per language. English is complete; Russian has
every heading; other languages (Kazakh) fall back to English until a reviewed translation exists.

>>> words("ru")("Reliability"), words("kk-Cyrl")("Reliability"), words("en")("Reliability")
('Надёжность', 'Reliability', 'Reliability')
"""

from __future__ import annotations

from typing import Callable

RU = {
    "Data and sample": "Данные и выборка", "Sample characteristics": "Характеристики выборки",
    "Careless-responding flags": "Признаки небрежных ответов", "Missing data by scale": "Пропуски по шкалам",
    "Missing-data patterns": "Структура пропусков", "Item distributions": "Распределения ответов",
    "Answers to the items of": "Ответы на пункты шкалы", "Reliability": "Надёжность",
    "Internal consistency of the scales": "Внутренняя согласованность шкал",
    "Exploratory factor analysis": "Эксплораторный факторный анализ",
    "Measurement model (CFA)": "Модель измерения (КФА)", "Structural model": "Структурная модель",
    "Measurement invariance": "Инвариантность измерения", "Group comparisons": "Сравнение групп",
    "Participation and teacher types": "Участие и типы учителей", "Method": "Метод", "References": "Литература",
    "Appendix": "Приложение", "Item wording": "Формулировки пунктов", "Item statistics": "Статистики пунктов",
    "Invalid values set missing": "Недопустимые значения (заменены пропусками)", "Analysis notes": "Примечания к анализу",
    "Provenance": "Происхождение результатов", "Clustering of the scale scores": "Кластеризация баллов шкал",
    "Fit of the measurement model": "Согласие модели измерения",
    "Standardized factor loadings": "Стандартизованные факторные нагрузки",
    "Discriminant validity": "Дискриминантная валидность", "Path diagram": "Диаграмма путей",
    "Regression paths": "Регрессионные пути", "Indirect effects": "Косвенные эффекты",
    "Fit of the structural model": "Согласие структурной модели",
    "Scale scores by": "Баллы шкал по группам:", "Regressions of the scale scores": "Регрессии баллов шкал",
    "Scree plot and parallel analysis": "График осыпи и параллельный анализ", "Factor loadings": "Факторные нагрузки",
    "Invariance across": "Инвариантность по группам:", "by": "по",
}

TABLES = {"ru": RU}


def words(lang: str) -> Callable[[str], str]:
    """The translation function of ``lang`` (English text in, the language's text out)."""
    table = TABLES.get(lang, {})
    return lambda text: table.get(text, text)
