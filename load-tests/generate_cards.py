#!/usr/bin/env python3
"""Writes a J-LIS card-production CSV of N made-up cards (UTF-8 with BOM, CRLF) for the
demo city's locations. The same N always gives the same file."""
import random
import sys

FAMILY = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("髙橋", "タカハシ"), ("田中", "タナカ"),
          ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山﨑", "ヤマサキ"), ("中村", "ナカムラ"),
          ("小林", "コバヤシ"), ("𠮷田", "ヨシダ")]
GIVEN = [("大輔", "ダイスケ"), ("さくら", "サクラ"), ("葵", "アオイ"), ("翔", "ショウ"),
         ("結衣", "ユイ"), ("一郎", "イチロウ"), ("美咲", "ミサキ"), ("健", "ケン")]
LOCATIONS = ["0101", "0102", "0103", "0104", "0105"]
LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def main() -> None:
    count, path = int(sys.argv[1]), sys.argv[2]
    rng = random.Random(count)
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        out.write("申請書ID,製造管理番号,予約番号,氏名,氏名カナ,生年月日,交付場所コード,発送番号,作成日\r\n")
        for i in range(count):
            family, given = rng.choice(FAMILY), rng.choice(GIVEN)
            prefix = LETTERS[i // 1_000_000 % 32] + LETTERS[i // 32 % 32] + LETTERS[i % 32]
            out.write(",".join([
                f"{9 * 10**22 + i:023d}",
                f"{800000000000 + i:012d}",
                f"{prefix}-{i % 1_000_000:06d}",
                f"{family[0]}　{given[0]}",
                f"{family[1]}　{given[1]}",
                f"{rng.randint(1930, 2020)}/{rng.randint(1, 12):02d}/{rng.randint(1, 28):02d}",
                rng.choice(LOCATIONS),
                f"{rng.randint(10**9, 10**10 - 1)}",
                f"2026/{rng.randint(1, 10):02d}/{rng.randint(1, 28):02d}",
            ]) + "\r\n")


if __name__ == "__main__":
    main()
