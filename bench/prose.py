"""Neutral prose written for this project: the words a blogger puts around a pasted passage.

Not news, not any outlet's: everyday paragraphs on gardens, kitchens and weekends, written for
the scan benchmark (``bench/scan.py``) so that no text is copied from elsewhere.
"""

PARAGRAPHS = (
    "I spent most of Saturday in the garden again. The tomatoes finally decided to ripen, all "
    "at once of course, so the kitchen table is now covered in bowls of them. My neighbour says "
    "the trick is to pinch out the side shoots early, which I never remember to do until the "
    "plants are already taller than the fence.",
    "A few readers asked what bread I have been baking lately. It is nothing fancy: flour, "
    "water, salt and a starter that lives in a jar at the back of the fridge. I feed it on "
    "Thursday evenings, leave the dough on the counter overnight, and bake it on Friday morning "
    "before anyone else is awake. The crust cracks as it cools, which is my favourite sound.",
    "We took the bikes out along the canal path on Sunday. The towpath was muddy after the "
    "rain, and the children counted eleven herons before we reached the lock. We stopped at the "
    "little cafe by the bridge for soup and a slice of lemon cake, then rode home slowly with "
    "the wind behind us for once.",
    "The board game club met in the church hall this week. Twelve of us turned up, which is a "
    "record, and we managed two full games of the railway one that takes all evening. I lost "
    "badly both times, but somebody brought homemade flapjacks, so nobody really minded who won "
    "or who lost.",
    "The kitchen tap has been dripping for a month, and I finally fixed it. It turned out to "
    "be a worn washer that cost less than a cup of coffee. The hardest part was finding the "
    "stopcock, which the previous owners had hidden behind a cupboard full of old paint tins and "
    "a broken vacuum cleaner.",
    "Our reading group picked a long novel this time, and I am only halfway through. The first "
    "chapters move slowly, with a lot of weather and a family arguing about an inheritance, but "
    "it picks up once the younger sister leaves for the city. We meet again in three weeks, so "
    "I have some catching up to do.",
    "If you have never tried pickling, start with cucumbers. Slice them thinly, salt them for "
    "an hour, rinse them, and cover them with warm vinegar, a spoon of sugar and a few dill "
    "seeds. They keep for weeks in the fridge and make a plain sandwich taste like something "
    "you would pay for.",
    "The allotment committee wants everyone to clear their paths before the spring inspection. "
    "I have a wheelbarrow with a flat tyre and a shed that leans a little more every winter, so "
    "this will take longer than it should. Still, there is something calming about an afternoon "
    "of weeding with the radio on.",
    "My grandmother kept a notebook of recipes written in pencil, with stains on every page. "
    "I have been copying them out before the writing fades completely. Some are clear, some are "
    "just a list of ingredients with no amounts, and one simply says to cook it until it smells "
    "right, which is not much help.",
    "The library in town has started lending tools as well as books. You can borrow a drill, "
    "a ladder or a wallpaper steamer for a week with your ordinary card. I borrowed a hedge "
    "trimmer and returned it a day late, and the woman at the desk only laughed and asked "
    "whether the hedge had survived.",
    "Autumn is my favourite time for long walks. The paths through the woods are quiet, the "
    "leaves are turning, and there are blackberries for anyone willing to get scratched. We "
    "usually finish at the farm shop, where the apples are cheap and the dog gets a biscuit from "
    "the owner.",
    "This week I also repainted the back door, a job I had put off since the spring. Two coats "
    "of dark green and it looks almost new, although the cat walked through the second coat "
    "before it dried and left a neat line of paw prints across the step, which I have decided "
    "to keep.",
)
